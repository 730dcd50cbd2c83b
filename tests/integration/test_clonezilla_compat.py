# SPDX-License-Identifier: GPL-3.0-or-later
"""Clonezilla itself accepts kura's images: Debian's clonezilla package's ocs-chkimg
checks a kura saveparts image as restorable, and `ocs-sr restoreparts` restores it onto
a loop device. Clonezilla mounts the restored filesystem afterwards (its post-processing),
so the superblock's mount bookkeeping differs; everything else must be identical."""
import os

from kuratest import (KuraTestCase, MiB, fs_snapshot, fsck_clean, loop_device, main, make_ext, make_tree, run,
                      run_kura, zeroed_file)


class ClonezillaAcceptsKuraImages(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("ocs-chkimg", "ocs-sr")

    def test_ocs_chkimg_and_ocs_sr_restoreparts(self):
        tree = self.path("tree")
        make_tree(tree, seed=31, big_mib=8, small_files=200)
        source = make_ext(self.path("source.img"), 96 * MiB, ["-t", "ext4"], tree)
        repo = self.new_repo()
        with loop_device(source) as loop:
            part = os.path.basename(loop)
            self.assertKura(run_kura("saveparts", "--repo", repo, "--progress=none", "--split", "1MB",
                                     "kura-img", loop), 0)

        check = run(["ocs-chkimg", "-b", "-nogui", "-or", repo, "kura-img"], check=False, timeout=300)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        self.assertIn("restorable: " + part, check.stdout + check.stderr)

        # The target takes the source's device name: ocs-sr's renaming of a partition
        # image to another device misnames loop devices (loop1 -> "loop1p"), a Clonezilla
        # limitation unrelated to the image.
        target_file = zeroed_file(self.path("target.img"), 96 * MiB)
        run(["losetup", "/dev/" + part, target_file])
        self.addCleanup(run, ["losetup", "-d", "/dev/" + part], check=False)
        restore = run(["ocs-sr", "-b", "-nogui", "-or", repo, "-p", "true", "restoreparts", "kura-img", part],
                      check=False, timeout=600)
        output = restore.stdout + restore.stderr
        self.assertEqual(restore.returncode, 0, output)
        self.assertIn("Partclone successfully restored the image", output)

        clean, report = fsck_clean(target_file)
        self.assertTrue(clean, report)
        self.assertEqual(fs_snapshot(target_file, self.tmp), fs_snapshot(source, self.tmp))
        # Apart from the superblock (1 KiB at byte 1024), which Clonezilla's mount updated,
        # the restored filesystem is byte-identical.
        with open(source, "rb") as a, open(target_file, "rb") as b:
            first, second = a.read(), b.read()
        self.assertEqual(first[:1024], second[:1024])
        self.assertEqual(first[2048:], second[2048:])


if __name__ == "__main__":
    main()
