# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole-disk images cross between Clonezilla and kura in both directions, with Debian's
clonezilla package in batch mode against the test's own loop devices:
 - an image `ocs-sr savedisk` made is restored by `kura restoredisk`;
 - an image `kura savedisk` made passes `ocs-chkimg` and is restored by `ocs-sr restoredisk`.
Clonezilla mounts what it restored (its post-processing), so superblocks may differ from
the source; file trees, tables, boot code and raw partitions must not."""
import os

import disk_images as di
import kuratest as kt
from kuratest import KuraTestCase, MiB, main, run, run_kura


class DisksCrossClonezilla(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("ocs-sr", "ocs-chkimg", "sfdisk", "mkfs.fat", "mkswap")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mbr = di.make_mbr_disk(cls.ws, os.path.join(cls.ws, "mbr-disk.img"))

    def test_ocs_sr_savedisk_restored_by_kura(self):
        repo = self.new_repo()
        with kt.partitioned_loop(self.mbr.path) as source:
            disk = os.path.basename(source)
            save = run(["ocs-sr", "-b", "-q2", "-j2", "-z9p", "-i", "0", "-sfsck", "-scs", "-senc", "-nogui",
                        "-or", repo, "-p", "true", "savedisk", "ocs-img", disk], check=False, timeout=900)
            self.assertEqual(save.returncode, 0, save.stdout[-4000:] + save.stderr[-4000:])
        imgdir = os.path.join(repo, "ocs-img")
        names = os.listdir(imgdir)
        self.assertIn(disk + "-pt.sf", names)
        self.assertNotIn("kura-manifest", names)

        target = kt.zeroed_file(self.path("target.img"), os.path.getsize(self.mbr.path))
        self.assertKura(run_kura("checkimage", "--repo", repo, "--progress=none", "ocs-img"), 0)
        self.assertKura(run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "ocs-img", target), 0)
        di.check_restored(self, self.mbr, target, self.tmp)

    def test_kura_savedisk_restored_by_ocs_sr(self):
        repo = self.new_repo()
        target_file = kt.zeroed_file(self.path("target.img"), os.path.getsize(self.mbr.path))
        # The source stays attached while ocs-sr restores, so the target has another name:
        # ocs-sr renames the image's loopN files to the target's name on the way.
        with kt.partitioned_loop(self.mbr.path) as source:
            self.assertKura(run_kura("savedisk", "--repo", repo, "--progress=none", "--devices", source,
                                     "kura-img", source), 0)
            check = run(["ocs-chkimg", "-b", "-nogui", "-or", repo, "kura-img"], check=False, timeout=600)
            self.assertEqual(check.returncode, 0, check.stdout[-4000:] + check.stderr[-4000:])
            with kt.loop_device(target_file) as target:
                self.assertNotEqual(os.path.basename(source), os.path.basename(target))
                restore = run(["ocs-sr", "-b", "-j2", "-k0", "-nogui", "-or", repo, "-p", "true", "restoredisk",
                               "kura-img", os.path.basename(target)], check=False, timeout=900)
                output = restore.stdout + restore.stderr
                run(["partx", "-d", target], check=False)
        self.assertEqual(restore.returncode, 0, output[-6000:])
        self.assertIn("successfully restored", output.lower())
        di.check_restored(self, self.mbr, target_file, self.tmp)


if __name__ == "__main__":
    main()
