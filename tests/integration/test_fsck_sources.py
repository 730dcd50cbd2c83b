# SPDX-License-Identifier: GPL-3.0-or-later
"""--fsck: source filesystems checked and repaired before they are saved.

An ext4 with a cleared inode that a directory still names and the kernel's error flag
set, a FAT32 whose boot sector says it was not unmounted cleanly and an NTFS marked dirty
are each refused by a plain save, left untouched by a --dry-run with --fsck (whose plan
says what would be repaired), and saved after e2fsck / fsck.fat / ntfsfix repaired them;
the repaired source checks clean and the image restores to the same bytes. A repair tool
that leaves errors stops the save (exit 5) naming the partition and the tool. savedisk
--fsck repairs the partitions of a disk image file (through read-write loop windows) and
of a partitioned loop device.
"""

import os
import stat
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk_images as di  # noqa: E402
import kuratest as kt  # noqa: E402
import ntfs_volumes as nv  # noqa: E402

MiB = kt.MiB
SECTOR = 512
EXT2_ERROR_FS = 2
NTFS_VOLUME_IS_DIRTY = 0x0001


def kura(*args, env=None):
    proc = kt.run([kt.KURA_BIN, *args], check=False, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def damaged_ext4(path, tree):
    """An ext4 whose directory names an inode that was cleared, with the error flag set
    (as the kernel leaves it after finding the damage): e2fsck -fn reports errors."""
    kt.make_ext(path, 48 * MiB, ["-t", "ext4"], tree)
    kt.run(["debugfs", "-w", "-R", "clri /docs/b.txt", path])
    kt.run(["debugfs", "-w", "-R", "ssv state %d" % EXT2_ERROR_FS, path])
    return path


def dirty_fat32(path, content):
    """A FAT32 holding the file `content` whose boot sector carries the dirty bit (byte
    0x41, bit 0: what Windows and Linux set while it is mounted)."""
    kt.make_fat(path, 40 * MiB, 32)
    kt.fat_copy_in(path, [content])
    with open(path, "r+b") as f:
        f.seek(0x41)
        flags = f.read(1)[0]
        f.seek(0x41)
        f.write(bytes([flags | 1]))
    return path


class FsckSources(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("fsck.fat", "mkfs.fat", "mcopy", "mkntfs", "ntfsfix", "sfdisk")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tree = os.path.join(cls.ws, "tree")
        os.makedirs(os.path.join(cls.tree, "docs"))
        for name, size in (("a.txt", 30000), ("b.txt", 70000), ("c.bin", 200000)):
            with open(os.path.join(cls.tree, "docs", name), "wb") as f:
                f.write(os.urandom(size))
        cls.fat_file = os.path.join(cls.ws, "fat-file.txt")
        with open(cls.fat_file, "w") as f:
            f.write("kura fsck test\n" * 1000)

    def assertExtDamaged(self, path):
        clean, log = kt.fsck_clean(path)
        self.assertFalse(clean, "the damage did not take:\n" + log)

    def assertExtClean(self, path):
        clean, log = kt.fsck_clean(path)
        self.assertTrue(clean, "not clean after --fsck:\n" + log)

    def assertSameExtFiles(self, source, target):
        """Blocks the repair freed keep their old bytes in the source, and a restore writes
        only used blocks: the two hold the same files, not the same bytes."""
        self.assertExtClean(target)
        self.assertEqual(kt.snapshot_differences(kt.fs_snapshot(source, self.tmp), kt.fs_snapshot(target, self.tmp)),
                         [])

    def save_refused_then_repaired(self, source, image, check_clean, compare=None):
        """The common course: refused without --fsck, unchanged by a dry run, repaired and
        saved with --fsck, and the image restores to the repaired filesystem (`compare`:
        the same bytes unless given)."""
        repo = self.new_repo()
        rc, out, err = kura("saveparts", "--repo", repo, "--progress=none", image, source)
        self.assertEqual(rc, kt.EXIT_UNSUPPORTED, "a damaged source was saved without --fsck\n" + err)

        before = kt.sha256_file(source)
        rc, out, err = kura("saveparts", "--repo", repo, "--progress=none", "--fsck", "--dry-run", image, source)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("--fsck will check and repair it", err)
        self.assertEqual(kt.sha256_file(source), before, "a dry run changed the source")
        self.assertFalse(os.path.exists(os.path.join(repo, image)))

        rc, out, err = kura("saveparts", "--repo", repo, "--progress=none", "--fsck", image, source)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("--fsck: checking and repairing", err)
        check_clean(source)

        target = kt.zeroed_file(self.path("target.img"), os.path.getsize(source))
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes", "--progress=none", image, target), 0)
        (compare or self.assertSameBytes)(source, target)
        return err

    def test_ext4_repaired_by_e2fsck(self):
        src = damaged_ext4(self.path("ext4.img"), self.tree)
        self.assertExtDamaged(src)
        err = self.save_refused_then_repaired(src, "ext", self.assertExtClean, self.assertSameExtFiles)
        self.assertIn("e2fsck -f -y", err)
        self.assertIn("errors found and corrected", err)

    def test_clean_ext4_is_checked_and_left_as_it_was(self):
        src = kt.make_ext(self.path("clean.img"), 32 * MiB, ["-t", "ext4"], self.tree)
        rc, out, err = kura("saveparts", "--repo", self.new_repo(), "--progress=none", "--fsck", "img", src)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("no errors", err)

    def test_fat32_repaired_by_fsck_fat(self):
        src = dirty_fat32(self.path("fat.img"), self.fat_file)

        def fat_clean(path):
            proc = kt.run(["fsck.fat", "-n", path], check=False)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

        err = self.save_refused_then_repaired(src, "fat", fat_clean)
        self.assertIn("fsck.fat -a -w", err)

    def test_ntfs_repaired_by_ntfsfix(self):
        src = kt.make_ntfs(self.path("ntfs.img"), 64 * MiB)
        nv.set_volume_flags(src, NTFS_VOLUME_IS_DIRTY)

        def ntfs_saveable(path):
            # kura itself refuses a dirty volume: a plain save now succeeds.
            self.assertKura(kt.run_kura("saveparts", "--repo", self.new_repo("again"), "--progress=none",
                                        "again", path), 0)

        err = self.save_refused_then_repaired(src, "ntfs", ntfs_saveable)
        self.assertIn("ntfsfix -d", err)

    def test_errors_left_by_the_tool_stop_the_save(self):
        """e2fsck's exit 4 ("errors left uncorrected") is a failure naming the partition and
        the tool; nothing is saved. A stand-in e2fsck earlier in PATH answers 4."""
        src = damaged_ext4(self.path("ext4.img"), self.tree)
        bin_dir = self.path("bin")
        os.mkdir(bin_dir)
        fake = os.path.join(bin_dir, "e2fsck")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho 'stand-in e2fsck: cannot fix this'\nexit 4\n")
        os.chmod(fake, stat.S_IRWXU)
        env = dict(os.environ, PATH=bin_dir + ":" + os.environ["PATH"])
        repo = self.new_repo()
        rc, out, err = kura("saveparts", "--repo", repo, "--progress=none", "--fsck", "img", src, env=env)
        self.assertEqual(rc, kt.EXIT_UNSUPPORTED, kt.describe(rc, out, err))
        self.assertIn("ext4.img", err)
        self.assertIn("e2fsck -f -y", err)
        self.assertIn("left errors uncorrected", err)
        self.assertIn("stand-in e2fsck: cannot fix this", err)
        self.assertEqual(os.listdir(repo), [])

    def make_damaged_disk(self, path):
        """MBR disk: p1 the damaged ext4, p2 the dirty FAT32."""
        kt.zeroed_file(path, 100 * MiB)
        kt.run(["sfdisk", "-q", path], input="label: dos\nstart=2048, size=48M, type=83\nsize=40M, type=c\n")
        parts = di.table(path)
        di.copy_into(path, parts[1][0], damaged_ext4(self.path("p1.img"), self.tree))
        di.copy_into(path, parts[2][0], dirty_fat32(self.path("p2.img"), self.fat_file))
        return parts

    def assertDiskRepaired(self, disk, parts):
        p1, p2 = self.path("p1-after.img"), self.path("p2-after.img")
        di.extract(disk, parts[1][0], parts[1][1], p1)
        di.extract(disk, parts[2][0], parts[2][1], p2)
        self.assertExtClean(p1)
        proc = kt.run(["fsck.fat", "-n", p2], check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_savedisk_repairs_partitions_of_a_disk_image_file(self):
        disk = self.path("disk.img")
        parts = self.make_damaged_disk(disk)
        repo = self.new_repo()
        rc, out, err = kura("savedisk", "--repo", repo, "--progress=none", "img", disk)
        self.assertEqual(rc, kt.EXIT_UNSUPPORTED, "a damaged disk was saved without --fsck\n" + err)
        rc, out, err = kura("savedisk", "--repo", repo, "--progress=none", "--fsck", "img", disk)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("e2fsck -f -y", err)
        self.assertIn("fsck.fat -a -w", err)
        self.assertDiskRepaired(disk, parts)
        restored = kt.zeroed_file(self.path("restored.img"), 100 * MiB)
        self.assertKura(kt.run_kura("restoredisk", "--repo", repo, "--yes", "--progress=none", "img", restored), 0)
        self.assertDiskRepaired(restored, parts)

    def test_savedisk_repairs_partitions_of_a_loop_device(self):
        disk = self.path("disk.img")
        parts = self.make_damaged_disk(disk)
        loop = self.enterContext(kt.partitioned_loop(disk))
        repo = self.new_repo()
        rc, out, err = kura("savedisk", "--repo", repo, "--progress=none", "--fsck", "--devices", loop, "img", loop)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn(loop + "p1", err)
        self.assertDiskRepaired(disk, parts)


if __name__ == "__main__":
    kt.main()
