# SPDX-License-Identifier: GPL-3.0-or-later
"""Old Clonezilla NTFS images made by ntfsclone (`<part>.ntfs-img[.aa...]`, the special image
of `ntfsclone --save-image`) restore through kura exactly as ntfsclone itself restores them:
byte-identical whole devices, `ntfsfix -n` clean, every file read back through ntfs-3g.
Damaged images are named as such, and a bad header leaves the target untouched."""
import os
import shutil

from kuratest import (EXIT_CORRUPT, EXIT_REFUSED, KuraTestCase, MiB, flip_byte, main, make_tree, ntfs_mounted, run,
                      run_kura, run_shell, sha256_file, split_file, tree_contents, zeroed_file)

VOLUME = 48 * MiB


class NtfscloneImagesRestore(KuraTestCase):
    REQUIRED_TOOLS = ("mkntfs", "ntfs-3g", "ntfsclone", "ntfsfix", "gzip", "zstd", "split")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One populated volume and its ntfsclone image, shared by the tests.
        cls.volume = os.path.join(cls.ws, "ntfs.img")
        run(["truncate", "-s", str(VOLUME), cls.volume])
        run(["mkntfs", "-q", "-F", "-f", "-c", "4096", "-L", "kura-ntfs", cls.volume])
        with ntfs_mounted(cls.volume, os.path.join(cls.ws, "mnt")) as mnt:
            make_tree(os.path.join(mnt, "tree"), seed=7, big_mib=6, small_files=150)
        cls.expected_tree = cls.tree_of(cls.volume, os.path.join(cls.ws, "look"))
        cls.raw = os.path.join(cls.ws, "sda1.ntfsclone")
        run(["ntfsclone", "--save-image", "-q", "-o", cls.raw, cls.volume])
        # What ntfsclone's own restore makes of the image, on a zeroed device.
        cls.reference = zeroed_file(os.path.join(cls.ws, "reference.img"), VOLUME)
        run(["ntfsclone", "--restore-image", "--overwrite", cls.reference, cls.raw])

    @staticmethod
    def tree_of(volume, mountpoint):
        with ntfs_mounted(volume, mountpoint, "ro") as mnt:
            return tree_contents(mnt)

    def clonezilla_dir(self, repo, name, stream, pieces=False):
        """An image directory as old Clonezilla wrote it: `parts` and the ntfsclone data file(s),
        compressed but without a compression suffix in the name."""
        image = os.path.join(repo, name)
        os.makedirs(image)
        with open(os.path.join(image, "parts"), "w") as f:
            f.write("sda1\n")
        data = os.path.join(image, "sda1.ntfs-img")
        shutil.copyfile(stream, data)
        if pieces:
            split_file(data, data, "1MB")
            os.remove(data)
        return image

    def compressed(self, suffix):
        out = self.path("stream." + suffix)
        if suffix == "gz":
            run_shell("gzip -c %s > %s" % (self.raw, out))
        elif suffix == "zst":
            run(["zstd", "-q", "-3", "-f", self.raw, "-o", out])
        else:
            shutil.copyfile(self.raw, out)
        return out

    def restore_and_compare(self, repo, name):
        self.assertKura(run_kura("checkimage", "--repo", repo, "--progress=none", name), 0)
        target = zeroed_file(self.path("target.img"), VOLUME)
        self.assertKura(run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", name, target), 0)
        self.assertSameBytes(target, self.reference)
        check = run(["ntfsfix", "-n", target], check=False)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("Checking the alternate boot sector... OK", check.stdout)
        self.assertEqual(self.tree_of(target, self.path("mnt")), self.expected_tree)

    def test_gzip_zstd_and_uncompressed_images(self):
        for suffix in ("gz", "zst", "uncomp"):
            with self.subTest(compression=suffix):
                repo = self.new_repo("repo-" + suffix)
                self.clonezilla_dir(repo, "old-ntfs", self.compressed(suffix))
                self.restore_and_compare(repo, "old-ntfs")
                os.remove(self.path("target.img"))

    def test_split_image(self):
        repo = self.new_repo()
        image = self.clonezilla_dir(repo, "old-split", self.compressed("gz"), pieces=True)
        self.assertIn("sda1.ntfs-img.ab", os.listdir(image))
        self.restore_and_compare(repo, "old-split")

    def test_damaged_images_are_named_and_a_bad_header_writes_nothing(self):
        stream = self.compressed("uncomp")
        size = os.path.getsize(stream)
        cases = {  # damage, and what the error must say
            "truncated": (lambda p: os.truncate(p, size - 3000), "cut short"),
            "magic": (lambda p: flip_byte(p, 5), "neither a Partclone nor an ntfsclone image"),
            "version": (lambda p: flip_byte(p, 16), "format 245.1 is not supported"),
            # The first records are the boot sector's clusters 0 and 1; the next type byte:
            "record": (lambda p: flip_byte(p, 56 + 2 * (1 + 4096)), "unknown record type"),
        }
        for case, (damage, message) in cases.items():
            with self.subTest(damage=case):
                repo = self.new_repo("repo-" + case)
                image = self.clonezilla_dir(repo, "bad", stream)
                damage(os.path.join(image, "sda1.ntfs-img"))
                rc, out, err = run_kura("checkimage", "--repo", repo, "--progress=none", "bad")
                self.assertEqual(rc, EXIT_CORRUPT, out + err)
                self.assertIn("sda1", err)
                self.assertIn(message, err)
                target = zeroed_file(self.path("target-" + case), VOLUME)
                before = sha256_file(target)
                rc, out, err = run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "bad", target)
                self.assertEqual(rc, EXIT_CORRUPT, out + err)
                if case in ("magic", "version"):
                    self.assertEqual(sha256_file(target), before, "a bad header must leave the target untouched")
                else:
                    self.assertIn("partly written", err)

    def test_compressors_kura_lacks_are_named(self):
        # Old Clonezilla names no compression (sda1.ntfs-img.aa); it is known only from the bytes.
        # A suffix naming it (sda1.ntfs-img.bz2) must give the same answer, not "no data file".
        for tool, suffix in (("bzip2", "bz2"), ("xz", "xz")):
            if not shutil.which(tool):
                continue
            for named in (False, True):
                with self.subTest(compression=suffix, named=named):
                    repo = self.new_repo("repo-%s-%d" % (suffix, named))
                    image = self.clonezilla_dir(repo, "old-" + suffix, self.raw)
                    data = os.path.join(image, "sda1.ntfs-img")
                    run_shell("%s -c %s > %s" % (tool, self.raw, data))
                    if named:
                        os.rename(data, data + "." + suffix)
                    target = zeroed_file(self.path("target-" + suffix), VOLUME)
                    before = sha256_file(target)
                    for command in (["checkimage"], ["restoreparts", "--yes"]):
                        args = command + ["--repo", repo, "--progress=none", "old-" + suffix]
                        rc, out, err = run_kura(*(args + ([target] if command[0] == "restoreparts" else [])))
                        self.assertEqual(rc, EXIT_CORRUPT, out + err)
                        self.assertIn("unsupported compression " + suffix, err)
                    self.assertEqual(sha256_file(target), before)

    def test_too_small_target_is_refused_before_writing(self):
        repo = self.new_repo()
        self.clonezilla_dir(repo, "old-ntfs", self.compressed("gz"))
        target = zeroed_file(self.path("small.img"), VOLUME - MiB)
        before = sha256_file(target)
        rc, out, err = run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "old-ntfs", target)
        self.assertEqual(rc, EXIT_REFUSED, out + err)
        self.assertIn("too small", err)
        self.assertEqual(sha256_file(target), before)


if __name__ == "__main__":
    main()
