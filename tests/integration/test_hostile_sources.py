# SPDX-License-Identifier: GPL-3.0-or-later
"""Sources whose metadata lies. Real ext4, NTFS, FAT and VMFS volumes (mke2fs, mkntfs,
mkfs.fat, the VMFS generator that vmfs-tools accepts) are damaged on purpose where a used
set comes from: an ext4 group descriptor pointing its block bitmap past the end, a zeroed
block bitmap, a journal the bitmap calls free, a wrong free count; a zeroed or random NTFS
$Bitmap; a zeroed FAT, a FAT32 root directory outside the volume or through a free cluster;
a damaged VMFS FS descriptor or file-block bitmap. Each is refused by `kura saveparts` with
exit 5, a message naming the check and the repair, nothing left in the repository and the
source unchanged; with --fs-force it is saved whole as a dd stream that checkimage passes
and restoreparts writes back byte for byte. Healthy volumes of every kind are saved by their
used blocks, with no false refusal."""
import os
import re
import sys

import kuratest as kt
from disk_images import copy_into, extract, table
from fat_volumes import fat_geometry, set_fat_entry
from kuratest import EXIT_UNSUPPORTED, MiB, run, run_kura

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vmfs"))
import make_vmfs  # noqa: E402


def debugfs_write(image, command):
    run(["debugfs", "-w", "-R", command, image])


def ext_super_value(image, field):
    """A number from `dumpe2fs -h`, e.g. "Block count"."""
    out = run(["dumpe2fs", "-h", image]).stdout
    return int(re.search(r"^%s:\s+(\d+)" % re.escape(field), out, re.M).group(1))


def ext_group0(image):
    """{"block_bitmap": N, ...} of group 0, as dumpe2fs prints it."""
    out = run(["dumpe2fs", image]).stdout
    return {"block_bitmap": int(re.search(r"Block bitmap at (\d+)", out).group(1))}


def ntfs_bitmap_runs(volume):
    """[(lcn, clusters)] of $Bitmap's data (MFT record 6), from ntfsinfo's runlist."""
    out = run(["ntfsinfo", "-i", "6", "-v", volume]).stdout
    runs_text = out[out.index("Runlist:"):]
    runs = []
    for line in runs_text.splitlines()[1:]:
        m = re.match(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s*$", line)
        if not m:
            break
        runs.append((int(m.group(2), 16), int(m.group(3), 16)))
    if not runs:
        raise AssertionError("no runlist for $Bitmap in:\n" + out)
    return runs


def ntfs_bitmap_size(volume):
    out = run(["ntfsinfo", "-i", "6", "-v", volume]).stdout
    sizes = re.findall(r"Data size:\s+(\d+)", out)
    return int(sizes[-1])  # the non-resident $DATA attribute comes last


def overwrite_ntfs_bitmap(volume, data_for):
    """Replaces $Bitmap's bytes with data_for(n)."""
    cluster = 4096
    size = ntfs_bitmap_size(volume)
    data = data_for(size)
    with open(volume, "r+b") as f:
        done = 0
        for lcn, count in ntfs_bitmap_runs(volume):
            n = min(count * cluster, size - done)
            f.seek(lcn * cluster)
            f.write(data[done:done + n])
            done += n
            if done >= size:
                break


class HostileSources(kt.KuraTestCase):
    REQUIRED_TOOLS = ("mke2fs", "debugfs", "dumpe2fs", "e2fsck", "mkntfs", "ntfsinfo", "ntfscp", "mkfs.fat",
                      "mcopy", "blkid", "zstd")

    # ----------------------------------------------------------------------------
    # What every case asserts

    def assertRefused(self, source, fs, check, repair):
        """Exit 5, the check and the repair named, nothing in the repository, the source as it was."""
        before = kt.sha256_file(source)
        repo = self.new_repo("refused-%d" % len(os.listdir(self.tmp)))
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "img", source)
        self.assertEqual(rc, EXIT_UNSUPPORTED, kt.describe(rc, out, err))
        self.assertIn("%s metadata inconsistent (%s)" % (fs, check), err)
        self.assertIn(repair, err)
        self.assertIn("--fs-force", err)
        self.assertNotIn("Unknown code", err)
        self.assertEqual(os.listdir(repo), [], "something was left in the repository")
        listed = run_kura("list-images", "--repo", repo)
        self.assertEqual(listed[0], 0, kt.describe(*listed))
        self.assertNotIn("img", listed[1])
        self.assertEqual(kt.sha256_file(source), before, "the source was changed")
        return err

    def assertSavedWhole(self, source, fs, check):
        """--fs-force: a dd stream, the plan and the log say why, checkimage passes, and a
        restore onto a fresh file gives back the source byte for byte."""
        repo = self.new_repo("forced-%d" % len(os.listdir(self.tmp)))
        name = os.path.basename(source)
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "--fs-force", "img", source)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        line = "%s: %s metadata inconsistent (%s); copied whole (dd) because of --fs-force" % (name, fs, check)
        self.assertIn("warning: " + line, err)  # in the plan
        self.assertIn("(dd)", err)
        image = os.path.join(repo, "img")
        with open(os.path.join(image, "clonezilla-img")) as f:
            self.assertIn(line, f.read(), "the reason is not in the image's log")
        data = kt.data_files(image, name)
        self.assertTrue(data and all(".dd-ptcl-img." in f for f in data), data)
        self.assertKura(run_kura("checkimage", "--repo", repo, "img"), 0)
        target = kt.zeroed_file(self.path("target-%s" % name), os.path.getsize(source))
        rc, out, err = run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "img", target)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        # The plan sizes a dd stream by the manifest's record of the source, not its
        # header's zero, and a same-size target is not "larger than the saved filesystem".
        self.assertNotIn("0 B used", out + err)
        self.assertNotIn("larger than", out + err)
        self.assertSameBytes(source, target)
        os.remove(target)

    def assertSavedByUsedBlocks(self, source, type_name):
        """A healthy volume: saved with its filesystem's stream, no refusal, no dd."""
        repo = self.new_repo("healthy-%d" % len(os.listdir(self.tmp)))
        name = os.path.basename(source)
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "img", source)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertNotIn("inconsistent", err)
        data = kt.data_files(os.path.join(repo, "img"), name)
        self.assertTrue(data and all(".%s-ptcl-img." % type_name in f for f in data), data)

    # ----------------------------------------------------------------------------
    # ext4

    def ext4(self, name="ext4.img", mkfs_args=()):
        tree = self.path("tree")
        if not os.path.isdir(tree):
            kt.make_tree(tree, seed=14, big_mib=4, small_files=60)
        return kt.make_ext(self.path(name), 64 * MiB, ["-t", "ext4", *mkfs_args], tree=tree)

    def test_ext4_block_bitmap_past_the_end(self):
        src = self.ext4()
        past = ext_super_value(src, "Block count") + 1000
        debugfs_write(src, "set_bg 0 block_bitmap %d" % past)
        err = self.assertRefused(src, "ext4", "group descriptors (ext2fs_check_desc)", "e2fsck -f " + src)
        # libext2fs's own words: its error table is registered.
        self.assertIn("bad block for block bitmap", err)
        self.assertSavedWhole(src, "ext4", "group descriptors (ext2fs_check_desc)")

    def test_ext4_block_bitmap_zeroed(self):
        # Without metadata_csum libext2fs reads a zeroed bitmap without complaint; only the
        # cross-check finds the group's own metadata missing from it.
        src = self.ext4(mkfs_args=("-O", "^metadata_csum"))
        block_size = ext_super_value(src, "Block size")
        kt.run(["dd", "if=/dev/zero", "of=" + src, "bs=%d" % block_size, "count=1", "conv=notrunc", "status=none",
                "seek=%d" % ext_group0(src)["block_bitmap"]])
        err = self.assertRefused(src, "ext4", "group metadata not in the block bitmap", "e2fsck -f " + src)
        self.assertIn("the block bitmap calls it free", err)
        self.assertSavedWhole(src, "ext4", "group metadata not in the block bitmap")

    def test_ext4_journal_freed(self):
        src = self.ext4()
        first = int(run(["debugfs", "-R", "bmap <8> 0", src]).stdout.split()[0])
        debugfs_write(src, "freeb %d 4" % first)  # bitmap and counts stay in step: only the journal is wrong
        err = self.assertRefused(src, "ext4", "journal not in the block bitmap", "e2fsck -f " + src)
        self.assertIn("the journal's block %d is free" % first, err)
        self.assertSavedWhole(src, "ext4", "journal not in the block bitmap")

    def test_ext4_free_count_lies(self):
        src = self.ext4(mkfs_args=("-O", "^metadata_csum"))
        free = int(re.search(r"Group 1: .*?\n.*?(\d+) free blocks", run(["dumpe2fs", src]).stdout, re.S).group(1))
        debugfs_write(src, "set_bg 1 free_blocks_count %d" % (free - 100))
        self.assertFalse(kt.fsck_clean(src)[0], "e2fsck -fn should call it an error")
        err = self.assertRefused(src, "ext4", "free blocks count", "e2fsck -f " + src)
        self.assertRegex(err, r"the block bitmap has \d+ free blocks, the group descriptors count \d+")
        self.assertSavedWhole(src, "ext4", "free blocks count")

    def test_ext4_stale_superblock_free_count_is_accepted(self):
        # The kernel updates the superblock's total lazily and e2fsck -fn accepts a stale one:
        # not a reason to refuse.
        src = self.ext4()
        debugfs_write(src, "ssv free_blocks_count %d" % (ext_super_value(src, "Free blocks") + 5000))
        self.assertTrue(kt.fsck_clean(src)[0])
        self.assertSavedByUsedBlocks(src, "ext4")

    def test_healthy_ext_layouts_are_not_refused(self):
        for i, args in enumerate((("-t", "ext4"), ("-t", "ext4", "-b", "1024"), ("-t", "ext4", "-O", "bigalloc"),
                                  ("-t", "ext4", "-O", "^has_journal"), ("-t", "ext3"), ("-t", "ext2"),
                                  ("-t", "ext4", "-O", "meta_bg,^resize_inode"))):
            with self.subTest(mkfs=args):
                src = kt.make_ext(self.path("h%d.img" % i), 128 * MiB, args)
                self.assertSavedByUsedBlocks(src, args[1])
                os.remove(src)

    def test_savedisk_copies_an_inconsistent_partition_whole(self):
        """savedisk runs the same checks per partition: refused, then under --fs-force that
        partition (only) is a dd stream, and restoredisk gives back the disk byte for byte."""
        disk = kt.zeroed_file(self.path("disk.img"), 140 * MiB)
        run(["sfdisk", "-q", disk], input="label: dos\nstart=2048, size=64M, type=83\nsize=64M, type=83\n")
        parts = table(disk)
        good = self.ext4("good.img")
        bad = self.ext4("bad.img")
        debugfs_write(bad, "set_bg 0 block_bitmap %d" % (ext_super_value(bad, "Block count") + 1000))
        for n, fs in ((1, good), (2, bad)):
            copy_into(disk, parts[n][0], fs)
        repo = self.new_repo()
        rc, out, err = run_kura("savedisk", "--repo", repo, "--progress=none", "img", disk)
        self.assertEqual(rc, EXIT_UNSUPPORTED, kt.describe(rc, out, err))
        self.assertIn("ext4 metadata inconsistent (group descriptors (ext2fs_check_desc))", err)
        self.assertEqual(os.listdir(repo), [])
        rc, out, err = run_kura("savedisk", "--repo", repo, "--progress=none", "--fs-force", "img", disk)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("warning: disk2: ext4 metadata inconsistent (group descriptors (ext2fs_check_desc)); "
                      "copied whole (dd) because of --fs-force", err)
        image = os.path.join(repo, "img")
        files = os.listdir(image)
        self.assertTrue(any(f.startswith("disk1.ext4-ptcl-img.") for f in files), files)
        self.assertTrue(any(f.startswith("disk2.dd-ptcl-img.") for f in files), files)
        self.assertKura(run_kura("checkimage", "--repo", repo, "img"), 0)
        target = kt.zeroed_file(self.path("target.img"), 140 * MiB)
        self.assertKura(run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "img", target), 0)
        restored = self.path("restored-p2.img")
        extract(target, parts[2][0], parts[2][1], restored)
        self.assertSameBytes(bad, restored)

    # ----------------------------------------------------------------------------
    # NTFS

    def ntfs(self, name="ntfs.img"):
        src = kt.make_ntfs(self.path(name), 64 * MiB)
        payload = self.path("payload.bin")
        with open(payload, "wb") as f:
            f.write(os.urandom(3 * MiB))
        run(["ntfscp", src, payload, "payload.bin"])
        return src

    def test_ntfs_bitmap_zeroed(self):
        src = self.ntfs()
        overwrite_ntfs_bitmap(src, lambda n: bytes(n))
        err = self.assertRefused(src, "NTFS", "system files not in $Bitmap", "chkdsk /f")
        self.assertIn("$MFT uses cluster", err)
        self.assertIn("ntfsfix " + src, err)
        self.assertSavedWhole(src, "NTFS", "system files not in $Bitmap")

    def test_ntfs_bitmap_random(self):
        src = self.ntfs()
        overwrite_ntfs_bitmap(src, lambda n: bytes(b & 0x55 for b in os.urandom(n)))  # every other cluster free
        self.assertRefused(src, "NTFS", "system files not in $Bitmap", "chkdsk /f")
        self.assertSavedWhole(src, "NTFS", "system files not in $Bitmap")

    def test_healthy_ntfs_is_not_refused(self):
        for cluster in (512, 4096, 65536):
            with self.subTest(cluster=cluster):
                src = kt.make_ntfs(self.path("n%d.img" % cluster), 96 * MiB, cluster=cluster)
                self.assertSavedByUsedBlocks(src, "ntfs")
                os.remove(src)
        self.assertSavedByUsedBlocks(self.ntfs("populated.img"), "ntfs")

    # ----------------------------------------------------------------------------
    # FAT

    def fat(self, bits, name="fat.img"):
        src = kt.make_fat(self.path(name), 64 * MiB, bits)
        payload = self.path("payload.bin")
        with open(payload, "wb") as f:
            f.write(os.urandom(2 * MiB))
        kt.fat_copy_in(src, [payload])
        return src

    def test_fat32_root_cluster_outside(self):
        src = self.fat(32)
        geo = fat_geometry(src)
        outside = geo["clusters"] + 100
        with open(src, "r+b") as f:
            f.seek(44)
            f.write(outside.to_bytes(4, "little"))
        err = self.assertRefused(src, "FAT32", "FAT32 root directory cluster", "fsck.fat -a " + src)
        self.assertIn("starts at cluster %d, outside the volume's clusters 2..%d" % (outside, geo["clusters"] + 1),
                      err)
        self.assertSavedWhole(src, "FAT32", "FAT32 root directory cluster")

    def test_fat32_root_chain_through_a_free_cluster(self):
        src = self.fat(32)
        geo = fat_geometry(src)
        with open(src, "rb") as f:
            f.seek(44)
            root = int.from_bytes(f.read(4), "little")
        for copy in range(geo["nfats"]):
            set_fat_entry(geo, src, copy, root, 0)
        err = self.assertRefused(src, "FAT32", "FAT32 root directory chain", "fsck.fat -a " + src)
        self.assertIn("cluster %d is marked free" % root, err)
        self.assertSavedWhole(src, "FAT32", "FAT32 root directory chain")

    def test_fat16_zeroed_fat(self):
        src = self.fat(16)
        geo = fat_geometry(src)
        with open(src, "r+b") as f:
            for copy in range(geo["nfats"]):
                f.seek((geo["reserved"] + copy * geo["fat_size"]) * geo["bps"])
                f.write(bytes(geo["fat_size"] * geo["bps"]))
        err = self.assertRefused(src, "FAT16", "FAT entry 0", "fsck.fat -a " + src)
        self.assertIn("media byte is 0xF8", err)
        self.assertSavedWhole(src, "FAT16", "FAT entry 0")

    def test_healthy_fat_is_not_refused(self):
        for bits in (12, 16, 32):
            with self.subTest(fat_bits=bits):
                src = kt.make_fat(self.path("f%d.img" % bits), (8 if bits == 12 else 64) * MiB, bits)
                kt.fat_copy_in(src, ["/etc/services"])
                self.assertSavedByUsedBlocks(src, "vfat")
                os.remove(src)

    # ----------------------------------------------------------------------------
    # VMFS

    def test_vmfs_descriptor_damaged(self):
        src = self.path("vmfs.img")
        make_vmfs.make_volume(src, 5, 1, 64)
        with open(src, "r+b") as f:
            f.seek(make_vmfs.DATA + make_vmfs.FSINFO)
            f.write(b"\0\0\0\0")
        err = self.assertRefused(src, "VMFS5", "FS descriptor", "voma -m vmfs -f check")
        self.assertIn("the FS descriptor is damaged", err)
        self.assertSavedWhole(src, "VMFS5", "FS descriptor")

    def test_vmfs_bitmap_frees_a_system_file(self):
        src = self.path("vmfs.img")
        make_vmfs.make_volume(src, 5, 1, 64)
        # The FBB's first entry: set the bit (free) of the first block of .fbb.sf itself.
        fbb_block = max(1, make_vmfs.HB_END // MiB) + 2  # after the FDC's and the root directory's blocks
        entry = make_vmfs.DATA + fbb_block * MiB + make_vmfs.HDR  # the first bitmap entry
        with open(src, "r+b") as f:
            f.seek(entry)
            magic = int.from_bytes(f.read(4), "little")
        if magic != make_vmfs.MAGIC_FBB:
            self.skipTest("the generator's FBB layout changed")
        with open(src, "r+b") as f:
            bits_at = entry + 0x210 + fbb_block // 8
            f.seek(bits_at)
            byte = f.read(1)[0]
            f.seek(bits_at)
            f.write(bytes([byte | (1 << (fbb_block % 8))]))
            f.seek(entry + 0x208)  # the entry's free count must agree with its bits
            free = int.from_bytes(f.read(4), "little")
            f.seek(entry + 0x208)
            f.write((free + 1).to_bytes(4, "little"))
        err = self.assertRefused(src, "VMFS5", "system files (.sf)", "voma")
        self.assertIn("which the file-block bitmap calls free", err)

    def test_healthy_vmfs_is_not_refused(self):
        for version, block_mib, size_mib in ((5, 1, 64), (3, 1, 64), (3, 4, 128)):
            with self.subTest(version=version, block_mib=block_mib):
                src = self.path("vmfs%d-%d.img" % (version, block_mib))
                make_vmfs.make_volume(src, version, block_mib, size_mib)
                self.assertSavedByUsedBlocks(src, "VMFS_volume_member")
                os.remove(src)


if __name__ == "__main__":
    kt.main()
