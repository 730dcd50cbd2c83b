# SPDX-License-Identifier: GPL-3.0-or-later
"""restoredisk refuses what would lose data, before writing a byte: a target too small,
a mounted target, the disk the running system lives on, an incomplete image, an image of
two disks aimed at one, a disk that vanished; savedisk refuses a disk without a table or
filesystem. Each error names the problem; every target is left exactly as it was."""
import os
import shutil

import disk_images as di
import kuratest as kt
from kuratest import KuraTestCase, MiB, main, run, run_kura

EXIT_USAGE, EXIT_CORRUPT, EXIT_REFUSED = 2, 4, 6


class DiskBadInput(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("sfdisk", "mkfs.fat", "mkswap")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mbr = di.make_mbr_disk(cls.ws, os.path.join(cls.ws, "mbr-disk.img"))
        cls.repo = os.path.join(cls.ws, "repo")
        os.mkdir(cls.repo)
        rc, out, err = run_kura("savedisk", "--repo", cls.repo, "--progress=none", "img", cls.mbr.path)
        assert rc == 0, err

    def assertRefused(self, result, code, *words):
        rc, out, err = result
        self.assertEqual(rc, code, kt.describe(rc, out, err))
        for w in words:
            self.assertIn(w.lower(), err.lower(), err)

    def assertUntouched(self, path, size):
        self.assertEqual(os.path.getsize(path), size)
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                self.assertEqual(chunk.count(0), len(chunk), "%s was written to" % path)

    def restore(self, *targets, repo=None, image="img"):
        return run_kura("restoredisk", "--repo", repo or self.repo, "--progress=none", "--yes", image, *targets)

    def test_target_too_small(self):
        size = os.path.getsize(self.mbr.path) - 32 * MiB
        target = kt.zeroed_file(self.path("small.img"), size)
        self.assertRefused(self.restore(target), EXIT_REFUSED, target, "partition 3", "does not fit")
        self.assertUntouched(target, size)

    def test_target_mounted(self):
        target_file = self.path("mounted.img")
        shutil.copyfile(self.mbr.path, target_file)
        with kt.partitioned_loop(target_file) as loop:
            mnt = self.path("mnt")
            os.makedirs(mnt)
            run(["mount", "-o", "ro", loop + "p1", mnt])
            try:
                self.assertRefused(self.restore(loop), EXIT_REFUSED, "mounted")
            finally:
                run(["umount", mnt])
        self.assertSameBytes(target_file, self.mbr.path)

    def test_running_system_disk(self):
        root = run(["findmnt", "-n", "-o", "SOURCE", "/"]).stdout.strip()
        disk = run(["lsblk", "-n", "-d", "-o", "PKNAME", root], check=False).stdout.strip() or root
        if not disk.startswith("/dev/"):
            disk = "/dev/" + disk
        if not os.path.exists(disk):
            self.skipTest("the root filesystem is not on a block device here")
        self.assertRefused(self.restore(disk), EXIT_REFUSED, disk)

    def test_incomplete_image(self):
        repo = self.path("repo")
        shutil.copytree(self.repo, repo)
        manifest = os.path.join(repo, "img", "kura-manifest")
        with open(manifest) as f:
            text = f.read()
        with open(manifest, "w") as f:
            f.write(text.replace("complete yes", "complete no"))
        target = kt.zeroed_file(self.path("t.img"), os.path.getsize(self.mbr.path))
        self.assertRefused(self.restore(target, repo=repo), EXIT_CORRUPT, "never finished")
        self.assertUntouched(target, os.path.getsize(self.mbr.path))
        # A missing data piece is caught before anything is written, too.
        shutil.rmtree(repo)
        shutil.copytree(self.repo, repo)
        piece = sorted(n for n in os.listdir(os.path.join(repo, "img")) if n.startswith("mbr-disk7."))[0]
        os.unlink(os.path.join(repo, "img", piece))
        self.assertRefused(self.restore(target, repo=repo), EXIT_CORRUPT, "mbr-disk7")
        self.assertUntouched(target, os.path.getsize(self.mbr.path))

    def test_two_disk_image_onto_one_disk(self):
        repo = self.new_repo()
        second = self.path("second.img")
        shutil.copyfile(self.mbr.path, second)
        self.assertKura(run_kura("savedisk", "--repo", repo, "--progress=none", "two", self.mbr.path, second), 0)
        with open(os.path.join(repo, "two", "disk")) as f:
            self.assertEqual(f.read().split(), ["mbr-disk", "second"])
        target = kt.zeroed_file(self.path("t.img"), os.path.getsize(self.mbr.path))
        self.assertRefused(self.restore(target, repo=repo, image="two"), EXIT_USAGE, "2 disk(s)", "mbr-disk second")
        self.assertUntouched(target, os.path.getsize(self.mbr.path))

    def test_disk_that_vanished(self):
        target_file = kt.zeroed_file(self.path("gone.img"), os.path.getsize(self.mbr.path))
        with kt.loop_device(target_file) as loop:
            pass  # detached again: the name no longer leads to a disk
        self.assertRefused(self.restore(loop), EXIT_REFUSED, os.path.basename(loop))
        self.assertUntouched(target_file, os.path.getsize(self.mbr.path))

    def test_savedisk_of_a_blank_disk(self):
        blank = kt.zeroed_file(self.path("blank.img"), 16 * MiB)
        rc, out, err = run_kura("savedisk", "--repo", self.new_repo(), "--progress=none", "blank", blank)
        self.assertEqual(rc, 5, err)
        self.assertIn("neither a partition table nor a filesystem", err)

    def test_no_confirmation_without_terminal(self):
        target = kt.zeroed_file(self.path("t.img"), os.path.getsize(self.mbr.path))
        rc, out, err = run_kura("restoredisk", "--repo", self.repo, "--progress=none", "img", target)
        self.assertEqual(rc, 8, err)
        self.assertUntouched(target, os.path.getsize(self.mbr.path))


if __name__ == "__main__":
    main()
