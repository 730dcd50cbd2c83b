# SPDX-License-Identifier: GPL-3.0-or-later
"""Windows boots through the NTFS boot sector's hidden-sectors field, the partition's first
sector on its disk. Restored onto a partition that starts elsewhere, kura rewrites it in the
boot sector and its backup; onto a file, or a partition at the same place, it is left as
saved."""
import os

from kuratest import (KuraTestCase, MiB, main, ntfs_mounted, ntfsfix_clean, partitioned_loop, run,
                      run_kura, zeroed_file)
from ntfs_volumes import backup_boot_offset, hidden_sectors

PART_SECTORS = 64 * MiB // 512


def disk_with_partition(path, start_sector):
    zeroed_file(path, 100 * MiB)
    run(["parted", "-s", path, "mklabel", "msdos", "mkpart", "primary", "ntfs",
         "%ds" % start_sector, "%ds" % (start_sector + PART_SECTORS - 1)])
    return path


class NtfsRelocation(KuraTestCase):
    REQUIRED_TOOLS = ("mkntfs", "ntfs-3g", "ntfsfix", "parted", "partx")

    def test_hidden_sectors_follow_the_partition(self):
        repo = self.new_repo()
        source_disk = disk_with_partition(self.path("source-disk.img"), 2048)
        with partitioned_loop(source_disk) as disk:
            part = disk + "p1"
            run(["mkntfs", "-q", "-f", "-c", "4096", "-p", "2048", "-L", "win", part])
            with ntfs_mounted(part, self.path("mnt")) as mnt:
                with open(os.path.join(mnt, "boot.ini"), "w") as f:
                    f.write("[boot loader]\n")
            self.assertEqual(hidden_sectors(part), 2048)
            self.assertKura(run_kura("saveparts", "--repo", repo, "--progress=none", "win", part), 0)

        target_disk = disk_with_partition(self.path("target-disk.img"), 4096)
        with partitioned_loop(target_disk) as disk:
            part = disk + "p1"
            rc, out, err = run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "win", part)
            self.assertEqual(rc, 0, out + err)
            self.assertIn("hidden sectors changed from 2048 to 4096", err)
            self.assertEqual(hidden_sectors(part), 4096)
            self.assertEqual(hidden_sectors(part, backup_boot_offset(part)), 4096)
            clean, report = ntfsfix_clean(part)
            self.assertTrue(clean, report)
            with ntfs_mounted(part, self.path("mnt2"), "ro") as mnt:
                with open(os.path.join(mnt, "boot.ini")) as f:
                    self.assertEqual(f.read(), "[boot loader]\n")

        # A file target is no partition: the field stays as saved.
        target = zeroed_file(self.path("target.img"), PART_SECTORS * 512)
        rc, out, err = run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "win", target)
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("hidden sectors changed", err)
        self.assertEqual(hidden_sectors(target), 2048)


if __name__ == "__main__":
    main()
