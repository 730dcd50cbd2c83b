# SPDX-License-Identifier: GPL-3.0-or-later
"""FAT12/16/32 save and restore, and what kura does with a damaged FAT.

Volumes are made by mkfs.fat in zeroed files and filled with mtools from real trees: long
names, deep directories, an empty file and directory, and fragmented files (many small
files, every other one deleted with mdel, then big files copied into the holes). A restore
onto a zeroed target must be the source byte for byte, pass `fsck.fat -n`, and give back the
same files through mtools.
"""

import os
import random
import struct
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
from fat_volumes import (build_fat_tree, chain_jumps, fat_entry, fat_geometry,  # noqa: E402
                         fill_fragmented, host_contents, set_fat_entry, used_cluster,
                         used_sectors, with_free_space_zeroed)

MiB = kt.MiB
KiB = kt.KiB


class FatRoundtrip(kt.KuraTestCase):

    REQUIRED_TOOLS = ("mkfs.fat", "fsck.fat", "mcopy", "mdel", "blkid", "zstd")

    def roundtrip(self, fat_bits, size, mkfs_args=(), big_kib=None, frag_files=200):
        src = kt.make_fat(self.path("src.img"), size, fat_bits, mkfs_args)
        first, rest = build_fat_tree(self.path("tree"), seed=fat_bits * 7 + len(mkfs_args),
                                     big_kib=big_kib or size // KiB // 3, frag_files=frag_files)
        fill_fragmented(src, first, rest)
        clean, out = kt.fat_fsck_clean(src)
        self.assertTrue(clean, out)
        self.assertEqual(kt.blkid_type(src), "vfat")
        expected = host_contents(first, rest)
        self.assertEqual(kt.fat_contents(src, self.tmp), expected, "mtools copy-in is not faithful")

        repo = self.new_repo()
        self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none", "img", src), 0)
        imgdir = os.path.join(repo, "img")
        files = kt.data_files(imgdir, "src.img")
        self.assertEqual(files, ["src.img.vfat-ptcl-img.zst.aa"], "Clonezilla names FAT data files vfat")
        with open(os.path.join(imgdir, "dev-fs.list")) as f:
            self.assertIn("vfat", f.read())

        # The stream's header: partclone.fat's tag and block unit (the logical sector).
        stream = self.path("stream")
        kt.run_shell("zstd -dc %s > %s" % (os.path.join(imgdir, files[0]), stream))
        with open(stream, "rb") as f:
            data = f.read()
        header = kt.read_v2_header(data)
        geo = fat_geometry(src)
        self.assertEqual(data[36:52].rstrip(b"\0").decode(), "FAT%d" % geo["bits"])
        self.assertEqual(header["block_size"], geo["bps"])
        self.assertEqual(header["totalblock"], geo["total"])
        used = set(kt.v2_used_blocks(data, header))
        expected_used = used_sectors(geo, src)
        self.assertEqual(len(used), len(expected_used))
        self.assertTrue(used == expected_used, "%d sectors differ from the FAT's used set"
                        % len(used ^ expected_used))
        self.assertGreater(chain_jumps(geo, src), 0, "the files did not end up fragmented")

        target = kt.zeroed_file(self.path("target.img"), size)
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes", "--progress=none",
                                    "img", target), 0)
        self.assertSameBytes(with_free_space_zeroed(geo, src, used, self.path("expected.img")), target)
        clean, out = kt.fat_fsck_clean(target)
        self.assertTrue(clean, out)
        restored = kt.fat_contents(target, self.tmp)
        self.assertEqual(restored, expected, kt.snapshot_differences(restored, expected))
        return data

    def test_fat12(self):
        self.roundtrip(12, 6 * MiB, frag_files=150)

    def test_fat16(self):
        self.roundtrip(16, 32 * MiB)

    def test_fat32(self):
        self.roundtrip(32, 64 * MiB)

    def test_fat32_4k_clusters_and_4k_sectors(self):
        self.roundtrip(32, 300 * MiB, ["-S", "4096", "-s", "1"], big_kib=20 * 1024)

    def test_free_space_is_not_copied(self):
        """Only the used part of a mostly empty volume goes into the stream."""
        src = kt.make_fat(self.path("src.img"), 64 * MiB, 32)
        kt._write(self.path("one.bin"), random.Random(1).randbytes(100 * KiB))
        kt.fat_copy_in(src, [self.path("one.bin")])
        repo = self.new_repo()
        self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none", "-z", "none",
                                    "img", src), 0)
        data_file = os.path.join(repo, "img", kt.data_files(os.path.join(repo, "img"), "src.img")[0])
        geo = fat_geometry(src)
        with open(data_file, "rb") as f:
            header = kt.read_v2_header(f.read(kt.V2_HEADER_SIZE))
        metadata = geo["first_data"]
        # The FATs, the reserved area, the root directory cluster and the file's 200 sectors.
        self.assertLess(header["usedblocks"], metadata + 300, header)
        self.assertGreaterEqual(header["usedblocks"], metadata + 200, header)


class FatBadInput(kt.KuraTestCase):
    """Damaged FAT volumes: a clear error, exit code 5, and nothing left in the repository."""

    REQUIRED_TOOLS = ("mkfs.fat", "fsck.fat", "mcopy", "blkid")

    def volume(self, fat_bits=16, size=32 * MiB):
        src = kt.make_fat(self.path("src.img"), size, fat_bits)
        first, rest = build_fat_tree(self.path("tree-%d" % fat_bits), seed=99, big_kib=2048, frag_files=40)
        # Nothing deleted: the free space stays zero, so a forced image restores to the source.
        kt.fat_copy_in(src, [os.path.join(first, "frag")] + [os.path.join(rest, n) for n in os.listdir(rest)])
        return src

    def refused(self, src, pattern, *extra):
        repo = self.new_repo("repo-refused-%d" % len(os.listdir(self.tmp)))
        rc, out, err = kt.run_kura("saveparts", "--repo", repo, "--progress=none", *extra, "img", src)
        self.assertEqual(rc, kt.EXIT_UNSUPPORTED, kt.describe(rc, out, err))
        self.assertRegex(err, pattern)
        self.assertEqual(os.listdir(repo), [], "something was left behind")
        return err

    def saved_anyway(self, src, pattern):
        """With --fs-force the image is made, the log warns, and the restore is the source."""
        repo = self.new_repo("repo-forced")
        rc, out, err = kt.run_kura("saveparts", "--repo", repo, "--progress=none", "--fs-force",
                                   "img", src)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertRegex(err, pattern)
        with open(os.path.join(repo, "img", "clonezilla-img")) as f:
            self.assertRegex(f.read(), pattern, "the warning is not in the image's log")
        target = kt.zeroed_file(self.path("target.img"), os.path.getsize(src))
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes", "--progress=none",
                                    "img", target), 0)
        self.assertSameBytes(src, target)

    def test_fat_copies_disagree(self):
        src = self.volume()
        geo = fat_geometry(src)
        c = used_cluster(geo, src)
        with open(src, "rb") as f:
            f.seek((geo["reserved"] + geo["fat_size"]) * geo["bps"] + 2 * c)
            old = f.read(1)
        # One byte of FAT #2, as a crash between the two FAT writes would leave it.
        kt.run(["dd", "of=" + src, "bs=1", "seek=%d" % ((geo["reserved"] + geo["fat_size"]) * geo["bps"] + 2 * c),
                "conv=notrunc", "status=none"], input=bytes([old[0] ^ 0x01]))
        self.assertFalse(kt.fat_fsck_clean(src)[0], "fsck.fat should see the difference")
        self.refused(src, r"FAT copies #1 and #2 disagree \(first about cluster %d\).*fsck\.fat" % c)
        self.saved_anyway(src, r"FAT copies #1 and #2 disagree.*--fs-force")

    def test_copies_disagree_force_keeps_clusters_either_copy_uses(self):
        """A cluster FAT #2 marks used but FAT #1 calls free is still copied under --fs-force."""
        src = self.volume()
        geo = fat_geometry(src)
        with open(src, "rb") as f:
            f.seek(geo["reserved"] * geo["bps"])
            fat = f.read(geo["fat_size"] * geo["bps"])
        free = next(c for c in range(geo["clusters"] + 1, 2, -1) if fat_entry(geo, fat, c) == 0)
        set_fat_entry(geo, src, 1, free, 0xFFFF)
        sector = geo["first_data"] + (free - 2) * geo["spc"]
        with open(src, "r+b") as f:
            f.seek(sector * geo["bps"])
            f.write(b"data only FAT #2 knows about" * 10)
        self.refused(src, r"disagree \(first about cluster %d\)" % free)
        self.saved_anyway(src, r"disagree")

    def test_chain_points_outside_the_volume(self):
        for bits, size in ((12, 6 * MiB), (32, 64 * MiB)):
            with self.subTest(fat_bits=bits):
                src = self.volume(bits, size)
                geo = fat_geometry(src)
                c = used_cluster(geo, src)
                outside = geo["clusters"] + 10
                for copy in range(geo["nfats"]):
                    set_fat_entry(geo, src, copy, c, outside)
                self.refused(src, r"cluster %d points to cluster %d, outside the volume's clusters 2\.\.%d"
                             % (c, outside, geo["clusters"] + 1))

    def test_not_unmounted_cleanly(self):
        src = self.volume()
        # The boot sector's dirty flag (FAT16: byte 37), as Linux leaves a volume it did
        # not unmount.
        with open(src, "r+b") as f:
            f.seek(37)
            f.write(b"\x01")
        self.refused(src, r"boot sector says it was not unmounted cleanly.*fsck\.fat -a")
        self.saved_anyway(src, r"not unmounted cleanly")

    def test_fat_state_bits(self):
        src = self.volume(32, 64 * MiB)
        geo = fat_geometry(src)
        set_fat_entry(geo, src, 0, 1, 0x07FFFFFF)  # clean-shutdown bit cleared, in both copies
        set_fat_entry(geo, src, 1, 1, 0x07FFFFFF)
        self.refused(src, r"FAT says it was not unmounted cleanly")

    def test_filesystem_larger_than_the_device(self):
        src = self.volume()
        os.truncate(src, 16 * MiB)  # a truncated copy: the BPB still says 32 MiB
        self.assertEqual(kt.blkid_type(src), "vfat")
        self.refused(src, r"claims 65536 sectors \(33554432 bytes\) but the device has only 16777216")

    def test_garbage_boot_sector(self):
        # Fields libblkid already refuses (kura's FAT reader then names the damage itself)
        # and ones it lets through to the BPB checks: each must fail clearly, naming the field.
        cases = (
            ("bytes per sector 1000", 11, struct.pack("<H", 1000)),
            ("sectors per cluster 0", 13, b"\x00"),
            ("FAT size 0", 22, b"\x00\x00"),
            ("FAT too small for the clusters", 22, struct.pack("<H", 1)),
            ("root directory entries 0", 17, b"\x00\x00"),
        )
        pristine = self.volume()
        with open(pristine, "rb") as f:
            image = f.read()
        for what, offset, patch in cases:
            with self.subTest(what):
                src = self.path("garbage.img")
                with open(src, "wb") as f:
                    f.write(image[:offset] + patch + image[offset + len(patch):])
                err = self.refused(src, r"garbage\.img")
                self.assertIn("not a usable FAT boot sector", err)
                self.assertNotRegex(err, r"internal|Traceback")
        src = self.path("truncated.img")
        with open(src, "wb") as f:
            f.write(image[:300])  # a boot sector cut short
        self.refused(src, r"truncated\.img")


if __name__ == "__main__":
    kt.main()
