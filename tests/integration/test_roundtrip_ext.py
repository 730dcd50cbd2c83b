# SPDX-License-Identifier: GPL-3.0-or-later
"""Save and restore ext2/3/4 filesystems of many layouts with kura.

Each case builds a filesystem populated with the shared test tree, saves it with
`kura saveparts` (varying compression and split size), checks the image directory,
checks it with `kura checkimage`, restores it onto a fresh zeroed file and requires
the result to be byte-identical to the source, fsck-clean and to hold the same files.
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402

MiB = kt.MiB


class RoundTripExt(kt.KuraTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=20240611)
        cls.tree_files = kt.tree_contents(cls.tree)

    # ---------------------------------------------------------------- helpers

    def make_source(self, size, mkfs_args, name="src.img"):
        src = kt.make_ext(self.path(name), size, mkfs_args, self.tree)
        clean, log = kt.fsck_clean(src)
        self.assertTrue(clean, "mke2fs produced an unclean source?\n" + log)
        return src

    def assertImageLayout(self, imgdir, parts, fs_types, compression, split_bytes):
        """The image directory holds the metadata files and correctly split data."""
        for meta in kt.IMAGE_META_FILES:
            self.assertTrue(os.path.isfile(os.path.join(imgdir, meta)),
                            "%s missing in %s" % (meta, sorted(os.listdir(imgdir))))
        with open(os.path.join(imgdir, "parts")) as f:
            self.assertEqual(f.read(), " ".join(parts) + "\n")
        expected_files = set(kt.IMAGE_META_FILES)
        for part, fs in zip(parts, fs_types):
            base = "%s.%s-ptcl-img.%s" % (part, fs, kt.COMP_SUFFIX[compression])
            files = kt.data_files(imgdir, part)
            expected_files.update(files)
            if split_bytes == 0:
                self.assertEqual(files, [base], "unsplit image must have no suffix")
                continue
            self.assertGreater(len(files), 0, "no data file for %s" % part)
            self.assertEqual(files, [base + "." + s
                                     for s in kt.split_suffixes(len(files))])
            sizes = [os.path.getsize(os.path.join(imgdir, f)) for f in files]
            for f, size in zip(files[:-1], sizes[:-1]):
                self.assertEqual(size, split_bytes, "piece %s has the wrong size" % f)
            self.assertTrue(0 < sizes[-1] <= split_bytes,
                            "last piece size %d, split %d" % (sizes[-1], split_bytes))
        # Nothing unexpected (such as a leftover temp file) in the image.
        self.assertEqual(set(os.listdir(imgdir)) - expected_files, set())

    def assertRestoredLikeSource(self, src, target):
        clean, log = kt.fsck_clean(target)
        self.assertTrue(clean, "restored filesystem is not clean:\n" + log)
        self.assertSameBytes(src, target)
        a = kt.fs_snapshot(src, self.tmp)
        b = kt.fs_snapshot(target, self.tmp)
        self.assertEqual(kt.snapshot_differences(a, b), [])
        # The source really holds the test tree, so the comparison above means something.
        seen = {p: (v[0], v[6]) for p, v in a.items() if not p.startswith("lost+found")}
        self.assertEqual(seen, self.tree_files)

    def roundtrip(self, size, mkfs_args, save_opts=(), compression="zstd",
                  split_bytes=4096 * 1000 * 1000, expect_fs=None):
        src = self.make_source(size, mkfs_args)
        fs = kt.blkid_type(src)
        if expect_fs:
            self.assertEqual(fs, expect_fs)
        src_hash = kt.sha256_file(src)
        repo = self.new_repo()

        result = kt.run_kura("saveparts", "--repo", repo, "--progress=none", *save_opts,
                             "img", src)
        self.assertKura(result, 0, "saveparts failed")
        self.assertEqual(kt.sha256_file(src), src_hash, "saveparts modified its source")
        self.assertEqual(os.listdir(repo), ["img"], "leftovers in the repository")
        imgdir = os.path.join(repo, "img")
        self.assertImageLayout(imgdir, ["src.img"], [fs], compression, split_bytes)

        # checkimage and restoreparts only read the repository.
        image_files = kt.dir_digest(repo)
        self.assertKura(kt.run_kura("checkimage", "--repo", repo, "img"), 0,
                        "checkimage rejected a fresh image")

        target = kt.zeroed_file(self.path("target.img"), size)
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes",
                                    "--progress=none", "img", target), 0,
                        "restoreparts failed")
        self.assertEqual(kt.dir_digest(repo), image_files, "the image was modified")
        self.assertRestoredLikeSource(src, target)

    # ---------------------------------------------------------------- cases

    def test_ext2_gzip_split_1MB(self):
        self.roundtrip(128 * MiB, ["-t", "ext2"], ["-z", "gzip", "--split", "1MB"],
                       "gzip", 1000 * 1000, expect_fs="ext2")

    def test_ext3_uncompressed_unsplit(self):
        self.roundtrip(128 * MiB, ["-t", "ext3"], ["-z", "none", "--split", "0"],
                       "none", 0, expect_fs="ext3")

    def test_ext4_defaults(self):
        # 512 MiB is the smallest size where mke2fs picks its default (not "small")
        # profile: 4 KiB blocks, several block groups. Default split: a single .aa.
        self.roundtrip(512 * MiB, ["-t", "ext4"], expect_fs="ext4")

    def test_ext4_1k_blocks_split_mib(self):
        self.roundtrip(128 * MiB, ["-t", "ext4", "-b", "1024"],
                       ["-z", "zstd", "--split", "2MiB"], "zstd", 2 * MiB)

    def test_ext4_bigalloc(self):
        self.roundtrip(256 * MiB, ["-t", "ext4", "-b", "4096", "-O", "bigalloc",
                                   "-C", "16384"],
                       ["--split", "3"], "zstd", 3 * 1000 * 1000)

    def test_ext4_meta_bg(self):
        self.roundtrip(128 * MiB, ["-t", "ext4", "-O", "meta_bg,^resize_inode"],
                       ["-z", "gzip", "--split", "0"], "gzip", 0)

    def test_ext4_no_64bit(self):
        self.roundtrip(128 * MiB, ["-t", "ext4", "-O", "^64bit"],
                       ["--level", "1", "--threads", "1", "--split", "1M"],
                       "zstd", 1000 * 1000)

    def test_ext4_64k_blocks(self):
        self.roundtrip(256 * MiB, ["-t", "ext4", "-b", "65536"],
                       ["-z", "none", "--split", "5MB"], "none", 5 * 1000 * 1000)

    def test_ext4_no_journal(self):
        self.roundtrip(128 * MiB, ["-t", "ext4", "-O", "^has_journal"],
                       ["--split", "1500K"], "zstd", 1500 * 1000, expect_fs="ext4")

    def test_ext4_sparse_super2(self):
        self.roundtrip(128 * MiB, ["-t", "ext4", "-O", "sparse_super2"],
                       ["-z", "gzip", "--level", "1", "--split", "1GB"],
                       "gzip", 1000 * 1000 * 1000)

    def test_ext4_uninit_bg_without_metadata_csum(self):
        self.roundtrip(128 * MiB, ["-t", "ext4", "-O", "^metadata_csum,uninit_bg"],
                       ["--no-verify", "--split", "1MiB"], "zstd", MiB)

    def test_two_parts_restore_in_order(self):
        # Targets map to `parts` in order: distinct filesystems of distinct sizes
        # show any mix-up.
        a = self.make_source(96 * MiB, ["-t", "ext2"], name="first.img")
        b = self.make_source(128 * MiB, ["-t", "ext4", "-b", "4096"], name="second fs.img")
        repo = self.new_repo()
        self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                    "two", a, b), 0)
        imgdir = os.path.join(repo, "two")
        self.assertImageLayout(imgdir, ["first.img", "second_fs.img"], ["ext2", "ext4"],
                               "zstd", 4096 * 1000 * 1000)
        ta = kt.zeroed_file(self.path("ta.img"), 96 * MiB)
        tb = kt.zeroed_file(self.path("tb.img"), 128 * MiB)
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes",
                                    "--progress=none", "two", ta, tb), 0)
        self.assertSameBytes(a, ta)
        self.assertSameBytes(b, tb)
        self.assertTrue(kt.files_identical(b, tb, self.tmp))

    def test_free_blocks_are_not_imaged(self):
        # Deleting a file frees its blocks but leaves its data on disk. Only used blocks
        # belong in the image, so on a zeroed target those blocks must stay zero.
        size, bs = 128 * MiB, 4096
        src = self.make_source(size, ["-t", "ext4", "-b", str(bs)])
        listing = kt.run(["debugfs", "-R", "blocks /big/random.bin", src]).stdout
        freed = [int(b) for b in listing.split()]
        self.assertGreater(len(freed), 1000)
        kt.run(["debugfs", "-w", "-R", "rm /big/random.bin", src])
        clean, log = kt.fsck_clean(src)
        self.assertTrue(clean, log)
        repo = self.new_repo()
        self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                    "img", src), 0)
        target = kt.zeroed_file(self.path("target.img"), size)
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes",
                                    "--progress=none", "img", target), 0)
        clean, log = kt.fsck_clean(target)
        self.assertTrue(clean, "restored filesystem is not clean:\n" + log)
        self.assertEqual(kt.snapshot_differences(kt.fs_snapshot(src, self.tmp),
                                                 kt.fs_snapshot(target, self.tmp)), [])
        with open(src, "rb") as s, open(target, "rb") as t:
            for b in freed:
                s.seek(b * bs)
                t.seek(b * bs)
                self.assertNotEqual(s.read(bs), bytes(bs), "freed block %d was zero" % b)
                self.assertEqual(t.read(bs), bytes(bs), "free block %d was imaged" % b)

    def save_from_loop_device(self, size):
        """Save a fresh filesystem through a loop device; returns (src, repo)."""
        src = self.make_source(size, ["-t", "ext4"])
        repo = self.new_repo()
        with kt.loop_device(src) as src_dev:
            self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                        "--split", "2MB", "img", src_dev), 0)
        # The part is named after the kernel device, and dev-fs.list names the device.
        part = os.path.basename(src_dev)
        imgdir = os.path.join(repo, "img")
        self.assertImageLayout(imgdir, [part], ["ext4"], "zstd", 2 * 1000 * 1000)
        with open(os.path.join(imgdir, "dev-fs.list")) as f:
            self.assertRegex(f.read(), r"(?m)^%s\s+ext4\b" % re.escape(src_dev))
        self.assertKura(kt.run_kura("checkimage", "--repo", repo, "img"), 0)
        return src, repo

    def test_loop_device_source(self):
        size = 128 * MiB
        src, repo = self.save_from_loop_device(size)
        target = kt.zeroed_file(self.path("target.img"), size)
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes",
                                    "--progress=none", "img", target), 0)
        self.assertRestoredLikeSource(src, target)

    def test_loop_device_source_and_target(self):
        size = 128 * MiB
        src, repo = self.save_from_loop_device(size)
        target = kt.zeroed_file(self.path("target.img"), size)
        with kt.loop_device(target) as dst_dev:
            self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes",
                                        "--progress=none", "img", dst_dev), 0)
        # Compare through the backing file once the device is released.
        self.assertRestoredLikeSource(src, target)

if __name__ == "__main__":
    kt.main()
