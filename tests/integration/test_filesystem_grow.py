# SPDX-License-Identifier: GPL-3.0-or-later
"""restoredisk --grow asks the filesystem that ends last to fill its grown partition, each
filesystem in its own way (FilesystemReader::grow): NTFS with ntfsresize (a test run first),
FAT not at all (kura has no FAT resizer: the log says it stays at its saved size); an NTFS
saved hibernated with --ntfs-force is never grown (a Windows resuming onto a resized volume
damages it), nor one copied whole because its metadata is inconsistent. ext's grow (e2fsck +
resize2fs) is checked by test_disk_roundtrip."""
import hashlib
import os

import disk_images as di
import kuratest as kt
import ntfs_volumes as nv
from kuratest import EXIT_OK, EXIT_UNSUPPORTED, KuraTestCase, MiB, main, run, run_kura
from test_hostile_sources import overwrite_ntfs_bitmap

EXTRA = 64 * MiB


class FilesystemGrow(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("sfdisk", "mkntfs", "ntfs-3g", "ntfsresize", "ntfsfix",
                                                    "mkfs.fat", "fsck.fat", "mcopy")

    def disk_with_last(self, name, fs_file, mbr_type):
        """An MBR disk: p1 a small ext4, p2 (last) the given filesystem, copied in."""
        # p2 runs to the end of the disk, so --grow extends it by exactly what the target adds.
        disk = kt.zeroed_file(self.path(name + ".img"), 9 * MiB + os.path.getsize(fs_file))
        run(["sfdisk", "-q", disk], input="label: dos\nstart=2048, size=8M, type=83\ntype=%s\n" % mbr_type)
        self.assertEqual(di.table(disk)[2][1] * di.SECTOR, os.path.getsize(fs_file))
        ext = kt.make_ext(self.path(name + "-p1.img"), 8 * MiB, ["-t", "ext4"])
        parts = di.table(disk)
        di.copy_into(disk, parts[1][0], ext)
        di.copy_into(disk, parts[2][0], fs_file)
        return disk

    def save_and_restore(self, disk, image, grow, extra_save=()):
        repo = self.path("repo")
        if not os.path.isdir(repo):
            os.mkdir(repo)
            self.assertKura(run_kura("savedisk", "--repo", repo, "--progress=none", *extra_save, image, disk), EXIT_OK)
        target = kt.zeroed_file(self.path("%s-%s.img" % (image, "grown" if grow else "kept")),
                                os.path.getsize(disk) + EXTRA)
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "--verbose",
                                *(("--grow",) if grow else ()), image, target)
        self.assertKura((rc, out, err), EXIT_OK)
        return target, err

    def partition(self, disk, n, name):
        return di.extract(disk, *di.table(disk)[n], self.path(name))

    def test_ntfs_grows_to_its_partition(self):
        volume = kt.make_ntfs(self.path("ntfs.img"), 64 * MiB, label="KURAGROW")
        with kt.ntfs_mounted(volume, self.path("mnt")) as mnt:
            kt.make_tree(os.path.join(mnt, "tree"), seed=31, big_mib=2, small_files=40)
        disk = self.disk_with_last("ntfs-disk", volume, "7")
        target, err = self.save_and_restore(disk, "ntfs-img", grow=True)

        before, after = di.table(disk), di.table(target)
        self.assertEqual(after[2][1] - before[2][1], EXTRA // di.SECTOR, "--grow extended the last partition")
        p2 = self.partition(target, 2, "grown-p2")
        self.assertIn("growing the ntfs filesystem on", err)
        self.assertIn("ntfsresize marked the grown NTFS for a consistency check; Windows runs chkdsk", err)
        # The volume fills the partition: whole clusters, its backup boot sector in the last ones.
        bps, cluster, total, _, _, _ = nv.geometry(p2)
        partition_bytes = after[2][1] * di.SECTOR
        self.assertLessEqual(total * bps + bps, partition_bytes)
        self.assertLess(partition_bytes - total * bps, cluster + bps, "the NTFS did not grow to its partition")
        self.assertGreater(total * bps, os.path.getsize(volume))
        # after_restore's hidden-sectors field survives ntfsresize (Windows boots by it), and
        # the backup boot sector, which ntfsresize writes into the partition's last sector,
        # is the same sector.
        self.assertEqual(nv.hidden_sectors(p2), after[2][0])
        self.assertEqual(nv.boot_sector(p2, partition_bytes - bps), nv.boot_sector(p2))
        clean, report = kt.ntfsfix_clean(p2)
        self.assertTrue(clean, report)
        self.assertEqual(kt.ntfs_tree(p2, self.path("m-got")), kt.ntfs_tree(volume, self.path("m-src")))
        # ntfsresize leaves the volume marked for chkdsk, as the log says: kura saves it only with --ntfs-force.
        rc, out, err = run_kura("saveparts", "--repo", self.new_repo("again"), "--progress=none", "again", p2)
        self.assertKura((rc, out, err), EXIT_UNSUPPORTED)
        self.assertIn("the volume is marked dirty", err)

    def test_fat_stays_at_its_saved_size(self):
        fat = kt.make_fat(self.path("fat.img"), 64 * MiB, 32, ["-n", "KURAFAT"])
        readme = self.path("readme.txt")
        with open(readme, "w") as f:
            f.write("kura grow test\n")
        kt.fat_copy_in(fat, [readme])
        disk = self.disk_with_last("fat-disk", fat, "c")
        target, err = self.save_and_restore(disk, "fat-img", grow=True)

        self.assertEqual(di.table(target)[2][1] - di.table(disk)[2][1], EXTRA // di.SECTOR)
        p2 = self.partition(target, 2, "grown-p2")
        self.assertIn("vfat is left at its saved size inside the grown partition", err)
        # The FAT itself is exactly as saved: the same bytes over its own size, zeros after.
        with open(p2, "rb") as got, open(fat, "rb") as src:
            self.assertEqual(hashlib.sha256(got.read(os.path.getsize(fat))).digest(),
                             hashlib.sha256(src.read()).digest())
            self.assertEqual(got.read().count(0), EXTRA)
        clean, report = kt.fat_fsck_clean(p2)
        self.assertTrue(clean, report)

    def test_hibernated_ntfs_is_not_grown(self):
        volume = kt.make_ntfs(self.path("hib.img"), 64 * MiB, label="KURAHIB")
        with kt.ntfs_mounted(volume, self.path("mnt")) as mnt:
            # What Windows leaves: hiberfil.sys starting with the "hibr" signature.
            with open(os.path.join(mnt, "hiberfil.sys"), "wb") as f:
                f.write(b"hibr" + bytes(8188))
        disk = self.disk_with_last("hib-disk", volume, "7")
        grown, err = self.save_and_restore(disk, "hib-img", grow=True, extra_save=("--ntfs-force",))
        self.assertIn("ntfs is left at its saved size inside the grown partition: Windows is hibernated on it", err)
        self.assertIn("then extend it in Disk Management", err)
        self.assertNotIn("ntfsresize", err)
        # Byte for byte what a restore without --grow writes: the partition grew, nothing in it changed.
        kept, _ = self.save_and_restore(disk, "hib-img", grow=False)
        self.assertEqual(di.table(grown)[2][1] - di.table(kept)[2][1], EXTRA // di.SECTOR)
        start = di.table(grown)[2][0]
        self.assertEqual(di.table(kept)[2][0], start)
        g = self.partition(grown, 2, "grown-p2")
        k = self.partition(kept, 2, "kept-p2")
        with open(g, "rb") as fg, open(k, "rb") as fk:
            self.assertEqual(hashlib.sha256(fg.read(os.path.getsize(k))).digest(),
                             hashlib.sha256(fk.read()).digest())
            self.assertEqual(fg.read().count(0), EXTRA)


    def test_inconsistent_ntfs_copied_whole_is_not_grown(self):
        # $Bitmap zeroed: kura images it only with --fs-force, whole (dd). A dd copy is no
        # filesystem kura knows how to grow, so ntfsresize never sees the damaged volume.
        volume = kt.make_ntfs(self.path("bad.img"), 64 * MiB, label="KURABAD")
        overwrite_ntfs_bitmap(volume, lambda n: bytes(n))
        disk = self.disk_with_last("bad-disk", volume, "7")
        grown, err = self.save_and_restore(disk, "bad-img", grow=True, extra_save=("--fs-force",))
        self.assertRegex(err, r"warning: /dev/loop\d+: dd is left at its saved size inside the grown partition")
        self.assertNotIn("ntfsresize", err)
        kept, _ = self.save_and_restore(disk, "bad-img", grow=False)
        g = self.partition(grown, 2, "grown-p2")
        with open(g, "rb") as fg, open(volume, "rb") as src:
            self.assertEqual(hashlib.sha256(fg.read(os.path.getsize(volume))).digest(),
                             hashlib.sha256(src.read()).digest(), "the dd copy is the source, byte for byte")
            self.assertEqual(fg.read().count(0), EXTRA)
        self.assertEqual(di.table(grown)[2][1] - di.table(kept)[2][1], EXTRA // di.SECTOR)


if __name__ == "__main__":
    main()
