# SPDX-License-Identifier: GPL-3.0-or-later
"""kura's behaviour on damaged images, unsuitable sources and unsafe targets.

Every case checks the documented exit code and that stderr names what is wrong. When
the fault can be known before writing, the target must be left exactly as it was.
"""

import os
import re
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402

MiB = kt.MiB
PART = "src.img"   # kura's part name for the source file src.img


class BadInput(kt.KuraTestCase):

    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("partclone.ext4", "zstd", "split",
                                                      "mount", "umount")

    SIZE = 64 * MiB

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=99, big_mib=9,
                            small_files=150)
        cls.src = kt.make_ext(os.path.join(cls.ws, PART), cls.SIZE, ["-t", "ext4"], tree)
        # One good split image (several 1 MB pieces) that the tests copy and damage.
        cls.pristine = os.path.join(cls.ws, "pristine")
        os.mkdir(cls.pristine)
        rc, out, err = kt.run_kura("saveparts", "--repo", cls.pristine, "--progress=none",
                                   "--split", "1MB", "img", cls.src)
        if rc != 0:
            raise AssertionError("cannot build the test image\n" + kt.describe(rc, out, err))

    # ---------------------------------------------------------------- helpers

    def copy_image(self):
        repo = self.path("repo")
        shutil.copytree(self.pristine, repo)
        return repo, os.path.join(repo, "img")

    def pieces(self, imgdir, part=PART):
        files = kt.data_files(imgdir, part)
        self.assertGreaterEqual(len(files), 3, "the test needs a multi-piece image")
        return [os.path.join(imgdir, f) for f in files]

    def partclone_split_image(self):
        """A Clonezilla-style image made by partclone: `parts` + zstd split pieces."""
        repo = self.path("pcrepo")
        imgdir = os.path.join(repo, "img")
        os.makedirs(imgdir)
        with open(os.path.join(imgdir, "parts"), "w") as f:
            f.write("sda1\n")
        raw = kt.partclone_save(self.src, self.path("pc.raw"), self.path("pc.log"))
        stream = kt.compress_file(raw, self.path("pc.zst"), "zst")
        kt.split_file(stream, os.path.join(imgdir, "sda1.ext4-ptcl-img.zst"), "1MB")
        return repo, imgdir

    def make_target(self, size=None, name="target.img"):
        return kt.zeroed_file(self.path(name), size or self.SIZE)

    def restore(self, repo, *targets, yes=True, **kw):
        args = ["restoreparts", "--repo", repo, "--progress=none"]
        if yes:
            args.append("--yes")
        return kt.run_kura(*args, "img", *targets, **kw)

    def assertRestoreRefused(self, repo, target, rc, *words):
        """restoreparts must fail with rc before writing anything to target."""
        digest = kt.sha256_file(target)
        result = self.restore(repo, target)
        self.assertUntouched(target, digest)
        self.assertFails(result, rc, *words)

    def assertUntouched(self, target, digest):
        self.assertEqual(kt.sha256_file(target), digest, "%s was modified" % target)

    def assertFails(self, result, rc, *words):
        """Exit code rc, and every word in stderr (case-insensitive)."""
        self.assertKura(result, rc)
        err = result[2].lower()
        for w in words:
            self.assertIn(w.lower(), err, "stderr does not mention %r\n%s" % (
                w, kt.describe(*result)))

    def assertNothingSaved(self, repo):
        self.assertEqual(os.listdir(repo), [], "saveparts left something in the repository")

    # ---------------------------------------------------------------- damaged images

    def test_truncated_last_piece(self):
        repo, imgdir = self.copy_image()
        last = self.pieces(imgdir)[-1]
        os.truncate(last, os.path.getsize(last) // 2)
        self.assertFails(kt.run_kura("checkimage", "--repo", repo, "img"),
                         kt.EXIT_CORRUPT, PART)
        # kura images record their file sizes, so this is known before writing.
        self.assertRestoreRefused(repo, self.make_target(), kt.EXIT_CORRUPT, PART)

    def test_truncated_partclone_image(self):
        # Without a kura manifest the end is only found while reading: the target may
        # be partly written, but the restore must fail.
        repo, imgdir = self.partclone_split_image()
        last = self.pieces(imgdir, "sda1")[-1]
        os.truncate(last, os.path.getsize(last) // 2)
        self.assertFails(kt.run_kura("checkimage", "--repo", repo, "img"),
                         kt.EXIT_CORRUPT, "sda1")
        self.assertFails(self.restore(repo, self.make_target()), kt.EXIT_CORRUPT, "sda1")

    def test_missing_split_piece(self):
        repo, imgdir = self.copy_image()
        second = self.pieces(imgdir)[1]
        self.assertTrue(second.endswith(".ab"))
        os.unlink(second)
        name = os.path.basename(second)
        self.assertFails(kt.run_kura("checkimage", "--repo", repo, "img"),
                         kt.EXIT_CORRUPT, PART, name)
        self.assertRestoreRefused(repo, self.make_target(), kt.EXIT_CORRUPT, PART, name)

    def test_missing_split_piece_partclone_image(self):
        # The gap .aa, .ac shows in the names alone, so nothing may be written.
        repo, imgdir = self.partclone_split_image()
        second = self.pieces(imgdir, "sda1")[1]
        os.unlink(second)
        self.assertRestoreRefused(repo, self.make_target(), kt.EXIT_CORRUPT, "sda1",
                                  os.path.basename(second))

    def test_flipped_byte_in_block_data(self):
        repo = self.new_repo()
        self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                    "-z", "none", "--split", "0", "img", self.src), 0)
        data_file = os.path.join(repo, "img", PART + ".ext4-ptcl-img.uncomp")
        with open(data_file, "rb") as f:
            stream = f.read()
        header = kt.read_v2_header(stream)
        used = kt.v2_used_blocks(stream, header)
        # Damage a block near the end, so its checksum group is not the first one.
        index = len(used) - 3
        kt.flip_byte(data_file, kt.v2_block_offset(header, index) + 100)
        # A checksum covers a group of blocks: the message may name any of them.
        bpc = header["blocks_per_checksum"]
        first = used[index // bpc * bpc]
        last = used[min(len(used), (index // bpc + 1) * bpc) - 1]

        for result in (kt.run_kura("checkimage", "--repo", repo, "img"),
                       self.restore(repo, self.make_target())):
            self.assertFails(result, kt.EXIT_CORRUPT, PART, "block")
            numbers = [int(n) for line in result[2].splitlines() if "block" in line
                       for n in re.findall(r"\d+", line)]
            self.assertTrue(any(first <= n <= last for n in numbers),
                            "no block number in %d..%d named\n%s" % (
                                first, last, kt.describe(*result)))

    def test_bad_stream_header(self):
        repo = self.new_repo()
        self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                    "-z", "none", "--split", "0", "img", self.src), 0)
        data_file = os.path.join(repo, "img", PART + ".ext4-ptcl-img.uncomp")
        kt.flip_byte(data_file, 64)   # inside totalblock; the header CRC catches it
        with self.subTest("restoreparts"):
            self.assertRestoreRefused(repo, self.make_target(), kt.EXIT_CORRUPT, PART)
        with self.subTest("checkimage"):
            self.assertFails(kt.run_kura("checkimage", "--repo", repo, "img"),
                             kt.EXIT_CORRUPT, PART)

    def test_image_not_found(self):
        repo = self.new_repo()
        self.assertRestoreRefused(repo, self.make_target(), kt.EXIT_NOT_FOUND, "img")
        self.assertFails(kt.run_kura("checkimage", "--repo", repo, "img"),
                         kt.EXIT_NOT_FOUND, "img")

    def test_directory_without_parts_is_not_an_image(self):
        repo, imgdir = self.copy_image()
        os.unlink(os.path.join(imgdir, "parts"))
        self.assertRestoreRefused(repo, self.make_target(), kt.EXIT_NOT_FOUND, "img")

    # ---------------------------------------------------------------- unsafe targets

    def test_target_too_small(self):
        target = self.make_target(self.SIZE // 2)
        self.assertRestoreRefused(self.pristine, target, kt.EXIT_REFUSED, target)

    def test_target_missing(self):
        target = self.path("no-such-target.img")
        self.assertFails(self.restore(self.pristine, target), kt.EXIT_REFUSED, target)
        self.assertFalse(os.path.exists(target), "restoreparts created its target")

    def test_target_mounted(self):
        backing = shutil.copyfile(self.src, self.path("mounted.img"))
        dev = self.attach_loop(backing)
        mnt = self.mount(dev, self.path("mnt"))
        sentinel = os.path.join(mnt, "sentinel")
        with open(sentinel, "w") as f:
            f.write("still here\n")
        os.sync()
        self.assertFails(self.restore(self.pristine, dev), kt.EXIT_REFUSED, dev, "mounted")
        with open(sentinel) as f:
            self.assertEqual(f.read(), "still here\n")

    def test_wrong_number_of_targets(self):
        a = self.make_target(name="a.img")
        b = self.make_target(name="b.img")
        digest_a, digest_b = kt.sha256_file(a), kt.sha256_file(b)
        self.assertKura(self.restore(self.pristine, a, b), kt.EXIT_USAGE)
        self.assertKura(self.restore(self.pristine), kt.EXIT_USAGE)
        self.assertUntouched(a, digest_a)
        self.assertUntouched(b, digest_b)

    def test_no_confirmation_without_terminal(self):
        target = self.make_target()
        digest = kt.sha256_file(target)
        self.assertKura(self.restore(self.pristine, target, yes=False), kt.EXIT_CANCELLED)
        # Answers on a pipe do not count: the confirmation needs a terminal.
        self.assertKura(self.restore(self.pristine, target, yes=False, input="y\ny\n"),
                        kt.EXIT_CANCELLED)
        self.assertUntouched(target, digest)

    # ---------------------------------------------------------------- unsuitable sources

    def test_source_random_bytes(self):
        src = self.path("random.bin")
        with open(src, "wb") as f:
            f.write(os.urandom(16 * MiB))
        repo = self.new_repo()
        self.assertFails(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                     "img", src), kt.EXIT_UNSUPPORTED, "random.bin")
        self.assertNothingSaved(repo)

    def test_source_unsupported_filesystem(self):
        # A type libblkid knows but kura has no reader for (FAT is imaged since the fat
        # reader; its damaged cases are in test_roundtrip_fat.py).
        src = kt.zeroed_file(self.path("swap.img"), 64 * MiB)
        kt.run(["mkswap", src])
        self.assertEqual(kt.blkid_type(src), "swap")
        repo = self.new_repo()
        self.assertFails(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                     "img", src), kt.EXIT_UNSUPPORTED, "swap.img")
        self.assertNothingSaved(repo)

    def test_source_not_clean(self):
        # State 0 in the superblock: not unmounted cleanly.
        src = shutil.copyfile(self.src, self.path("dirty.img"))
        kt.run(["debugfs", "-w", "-R", "ssv state 0", src])
        repo = self.new_repo()
        self.assertFails(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                     "img", src), kt.EXIT_UNSUPPORTED, "dirty.img")
        self.assertNothingSaved(repo)

    def test_source_mounted_read_write(self):
        backing = shutil.copyfile(self.src, self.path("busy.img"))
        dev = self.attach_loop(backing)
        self.mount(dev, self.path("mnt"))
        repo = self.new_repo()
        self.assertFails(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                     "img", dev), kt.EXIT_UNSUPPORTED, dev)
        self.assertNothingSaved(repo)
        # The same filesystem named by its image file, mounted through the loop device.
        self.assertFails(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                     "img", backing), kt.EXIT_UNSUPPORTED, dev)
        self.assertNothingSaved(repo)

    def test_existing_image_name(self):
        repo, imgdir = self.copy_image()
        before = {f: kt.sha256_file(os.path.join(imgdir, f)) for f in os.listdir(imgdir)}
        result = kt.run_kura("saveparts", "--repo", repo, "--progress=none", "img", self.src)
        self.assertFails(result, kt.EXIT_REFUSED, "img")
        after = {f: kt.sha256_file(os.path.join(imgdir, f)) for f in os.listdir(imgdir)}
        self.assertEqual(before, after, "the existing image was changed")
        self.assertEqual(os.listdir(repo), ["img"])


if __name__ == "__main__":
    kt.main()
