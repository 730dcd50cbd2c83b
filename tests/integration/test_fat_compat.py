# SPDX-License-Identifier: GPL-3.0-or-later
"""FAT streams interoperate with partclone.fat (Debian's partclone 0.3.23), both ways.

For FAT12, FAT16 and FAT32 volumes filled with fragmented files: kura's stream restored by
`partclone.fat -r` and partclone.fat's stream (`partclone.fat -c`) restored by kura give the
same bytes as the other tool; the headers agree; and the used sets are compared with each
other and with the set read from the FAT here. partclone.fat 0.3.23 reads a FAT12 as if its
entries were 16 bits wide, so its FAT12 set is wrong (it misses used clusters - its own
restore loses file data); kura follows the FAT, and the test shows which set is right.
"""

import os
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
from fat_volumes import (build_fat_tree, fat_geometry, fill_fragmented, host_contents,  # noqa: E402
                         used_sectors, with_free_space_zeroed)

MiB = kt.MiB
KiB = kt.KiB
PART = "sda1"


class FatPartcloneCompat(kt.KuraTestCase):

    REQUIRED_TOOLS = ("mkfs.fat", "fsck.fat", "mcopy", "mdel", "blkid", "partclone.fat",
                      "partclone.restore", "partclone.chkimg", "zstd")

    def volume(self, fat_bits, size):
        src = kt.make_fat(self.path("src.img"), size, fat_bits)
        first, rest = build_fat_tree(self.path("tree"), seed=1000 + fat_bits,
                                     big_kib=size // KiB // 3, frag_files=200)
        fill_fragmented(src, first, rest)
        return src, host_contents(first, rest)

    def read_stream(self, path):
        with open(path, "rb") as f:
            data = f.read()
        header = kt.read_v2_header(data)
        return data, header, set(kt.v2_used_blocks(data, header))

    def kura_stream(self, src):
        repo = self.new_repo("kura-repo")
        self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none", "img", src), 0)
        imgdir = os.path.join(repo, "img")
        pieces = [os.path.join(imgdir, f) for f in kt.data_files(imgdir, "src.img")]
        stream = self.path("kura.raw")
        kt.run_shell("%s > %s" % (kt.stream_cmd(pieces, "zst"), stream))
        return stream

    def partclone_stream(self, src):
        stream = self.path("pc.raw")
        kt.run(["partclone.fat", "-q", "-c", "-s", src, "-o", stream, "-L", self.path("pc-save.log")])
        return stream

    def partclone_restores(self, stream, size, name):
        target = kt.zeroed_file(self.path(name), size)
        kt.run(["partclone.fat", "-q", "-r", "-s", stream, "-O", target, "-L", self.path(name + ".log")])
        return target

    def kura_restores(self, pc_stream, size):
        """partclone.fat's stream as Clonezilla stores it (zstd), restored by kura."""
        repo = self.new_repo("pc-repo")
        imgdir = os.path.join(repo, "img")
        os.mkdir(imgdir)
        with open(os.path.join(imgdir, "parts"), "w") as f:
            f.write(PART + "\n")
        kt.compress_file(pc_stream, os.path.join(imgdir, PART + ".vfat-ptcl-img.zst"), "zst")
        self.assertKura(kt.run_kura("checkimage", "--repo", repo, "img"), 0)
        target = kt.zeroed_file(self.path("kura-from-pc.img"), size)
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes", "--progress=none",
                                    "img", target), 0)
        return target

    def both_ways(self, fat_bits, size):
        src, expected_files = self.volume(fat_bits, size)
        geo = fat_geometry(src)
        truth = used_sectors(geo, src)
        expected = with_free_space_zeroed(geo, src, truth, self.path("expected.img"))

        k_data, k_header, k_used = self.read_stream(self.kura_stream(src))
        check = kt.run(["partclone.chkimg", "-s", self.path("kura.raw"), "-L", self.path("chk.log")], check=False)
        self.assertEqual(check.returncode, 0, check.stderr[-2000:])
        pc_stream = self.partclone_stream(src)
        p_data, p_header, p_used = self.read_stream(pc_stream)

        # Same header facts: partclone.fat's tag, sector-sized blocks, the same extent.
        self.assertEqual(k_data[36:52], p_data[36:52])
        self.assertEqual(p_data[36:52].rstrip(b"\0").decode(), "FAT%d" % fat_bits)
        for field in ("block_size", "totalblock", "device_size"):
            self.assertEqual(k_header[field], p_header[field], field)
        self.assertEqual(k_used, truth, "kura's used set is not the FAT's")

        # kura's stream, restored by partclone.fat, is the source (free space zero).
        restored = self.partclone_restores(self.path("kura.raw"), size, "pc-from-kura.img")
        self.assertSameBytes(expected, restored)
        self.assertTrue(kt.fat_fsck_clean(restored)[0])
        self.assertEqual(kt.fat_contents(restored, self.tmp), expected_files)

        # partclone.fat's stream, restored by kura, is what partclone.fat itself restores.
        by_kura = self.kura_restores(pc_stream, size)
        by_partclone = self.partclone_restores(pc_stream, size, "pc-from-pc.img")
        self.assertSameBytes(by_partclone, by_kura)
        self.expected_files = expected_files
        return p_used, truth, expected, by_kura

    def test_fat16(self):
        p_used, truth, expected, by_kura = self.both_ways(16, 32 * MiB)
        self.assertTrue(p_used == truth, "kura and partclone.fat disagree on %d sectors"
                        % len(p_used ^ truth))
        self.assertSameBytes(expected, by_kura)

    def test_fat32(self):
        p_used, truth, expected, by_kura = self.both_ways(32, 64 * MiB)
        self.assertTrue(p_used == truth, "kura and partclone.fat disagree on %d sectors"
                        % len(p_used ^ truth))
        self.assertSameBytes(expected, by_kura)

    def test_fat12(self):
        p_used, truth, expected, by_kura = self.both_ways(12, 6 * MiB)
        if p_used != truth:
            # partclone.fat 0.3.23's FAT12 bug: its set misses clusters the FAT says are in
            # use, so its image loses file data; kura's set is the FAT's.
            missed = truth - p_used
            print("partclone.fat FAT12: %d used sectors missed, %d free ones copied"
                  % (len(missed), len(p_used - truth)), file=sys.stderr)
            self.assertTrue(missed, "partclone.fat's FAT12 set differs only by extra sectors")
            # Proof that the FAT's set is the right one: partclone.fat's own save and restore
            # of this volume does not give the files back (kura restored that stream
            # byte for byte like partclone.fat, above).
            self.assertNotEqual(kt.fat_contents(by_kura, self.tmp), self.expected_files)
        else:
            self.assertSameBytes(expected, by_kura)


class ClonezillaAcceptsKuraFatImages(kt.KuraTestCase):
    """ocs-chkimg and `ocs-sr restoreparts` take kura's FAT image (data file
    `<part>.vfat-ptcl-img.zst.aa`, header tag FAT16) and restore it with partclone."""

    REQUIRED_TOOLS = ("mkfs.fat", "fsck.fat", "mcopy", "losetup", "ocs-chkimg", "ocs-sr")

    def test_ocs_chkimg_and_ocs_sr_restoreparts(self):
        size = 32 * MiB
        src = kt.make_fat(self.path("src.img"), size, 16)
        first, rest = build_fat_tree(self.path("tree"), seed=16, big_kib=6 * 1024, frag_files=100)
        fill_fragmented(src, first, rest)
        expected_files = host_contents(first, rest)
        geo = fat_geometry(src)
        expected = with_free_space_zeroed(geo, src, used_sectors(geo, src), self.path("expected.img"))
        repo = self.new_repo()
        with kt.loop_device(src) as loop:
            part = os.path.basename(loop)
            self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none", "kura-img", loop), 0)
        imgdir = os.path.join(repo, "kura-img")
        self.assertEqual(kt.data_files(imgdir, part), [part + ".vfat-ptcl-img.zst.aa"])

        check = kt.run(["ocs-chkimg", "-b", "-nogui", "-or", repo, "kura-img"], check=False, timeout=300)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("restorable: " + part, check.stdout + check.stderr)

        # The target takes the source's device name (see test_clonezilla_compat.py).
        target = kt.zeroed_file(self.path("target.img"), size)
        kt.run(["losetup", "/dev/" + part, target])
        self.addCleanup(kt.run, ["losetup", "-d", "/dev/" + part], check=False)
        restore = kt.run(["ocs-sr", "-b", "-nogui", "-or", repo, "-p", "true", "restoreparts", "kura-img", part],
                         check=False, timeout=600)
        output = restore.stdout + restore.stderr
        self.assertEqual(restore.returncode, 0, output)
        self.assertIn("Partclone successfully restored the image", output)
        clean, report = kt.fat_fsck_clean(target)
        self.assertTrue(clean, report)
        self.assertEqual(kt.fat_contents(target, self.tmp), expected_files)
        self.assertSameBytes(expected, target)


if __name__ == "__main__":
    kt.main()
