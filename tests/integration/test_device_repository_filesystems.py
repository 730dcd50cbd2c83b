# SPDX-License-Identifier: GPL-3.0-or-later
"""Which filesystems a `dev:` repository can live on is the filesystem table's
(FilesystemReader::repository_mount): a partition holding anything else is refused by name,
untouched and unmounted, and left out of the candidates `dev:` alone lists; exFAT and XFS,
rows with no used-block reader, are ones kura mounts (or names the kernel's missing driver)."""
import os

import kuratest as kt
from kuratest import EXIT_OK, EXIT_UNSUPPORTED, EXIT_USAGE, KuraTestCase, MiB, main, run, run_kura


def mounts_of(dev):
    """Mount points of block device dev, from the kernel's own table."""
    rdev = os.stat(dev).st_rdev
    wanted = "%d:%d" % (os.major(rdev), os.minor(rdev))
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[2] == wanted]


def kernel_has(fs):
    with open("/proc/filesystems") as f:
        return any(line.split()[-1] == fs for line in f if line.strip())


class DeviceRepositoryFilesystems(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("mkfs.minix", "mkfs.exfat", "mkfs.xfs")

    def setUp(self):
        super().setUp()
        self.source = kt.make_ext(self.path("source.img"), 8 * MiB, ["-t", "ext4"])

    def test_a_filesystem_the_table_does_not_mount_is_refused(self):
        backing = kt.zeroed_file(self.path("minix.img"), 16 * MiB)
        run(["mkfs.minix", backing])
        before = kt.sha256_file(backing)
        dev = self.attach_loop(backing)
        self.assertEqual(kt.blkid_type(dev), "minix")
        rc, out, err = run_kura("saveparts", "--repo", "dev:" + dev, "--progress=none", "img", self.source)
        self.assertKura((rc, out, err), EXIT_UNSUPPORTED)
        self.assertIn("--repo dev:%s: %s holds minix, which kura does not mount for a repository (it mounts "
                      "ext2, ext3, ext4, vfat, ntfs, exfat, xfs); mount it yourself and give the directory as --repo"
                      % (dev, dev), err)
        self.assertEqual(mounts_of(dev), [])
        self.assertEqual(kt.sha256_file(backing), before)

        # `dev:` alone lists the candidates: this one is not among them, an ext4 one is.
        ext = self.attach_loop(kt.make_ext(self.path("cand.img"), 8 * MiB, ["-t", "ext4", "-L", "kuracandfs"]))
        rc, out, err = run_kura("list-images", "--repo", "dev:")
        self.assertKura((rc, out, err), EXIT_USAGE)
        self.assertIn("%s (ext4, LABEL=kuracandfs)" % os.path.basename(ext), err)
        self.assertNotIn(os.path.basename(dev) + " (", err)

    def test_exfat_repository(self):
        backing = kt.zeroed_file(self.path("exfat.img"), 64 * MiB)
        run(["mkfs.exfat", "-L", "KURAEXFAT", backing])
        dev = self.attach_loop(backing)
        self.assertEqual(kt.blkid_type(dev), "exfat")
        if not kernel_has("exfat"):
            # In the table, so kura tries; the kernel is what is missing, and the message says so.
            before = kt.sha256_file(backing)
            rc, out, err = run_kura("saveparts", "--repo", "dev:" + dev, "--progress=none", "img", self.source)
            self.assertKura((rc, out, err), EXIT_UNSUPPORTED)
            self.assertIn("%s holds exfat, which the running kernel cannot mount (not in /proc/filesystems)" % dev,
                          err)
            self.assertEqual(mounts_of(dev), [])
            self.assertEqual(kt.sha256_file(backing), before)
            return
        rc, out, err = run_kura("saveparts", "--repo", "dev:" + dev, "--progress=none", "--verbose", "img",
                                self.source)
        self.assertKura((rc, out, err), EXIT_OK)
        self.assertIn("mounted %s (exfat)" % dev, err)
        self.assertEqual(mounts_of(dev), [])
        self.assertKura(run_kura("checkimage", "--repo", "dev:" + dev, "--progress=none", "img"), EXIT_OK)

    def test_xfs_repository(self):
        """The spare disk of a RHEL 7-9 server is XFS: the host kernel mounts it, and the
        image written there keeps Unix modes (0700/0600), as on ext4."""
        if not kernel_has("xfs"):
            self.skipTest("the running kernel has no xfs")
        backing = kt.zeroed_file(self.path("xfs.img"), 320 * MiB)
        run(["mkfs.xfs", "-q", "-L", "KURAXFS", backing])
        dev = self.attach_loop(backing)
        self.assertEqual(kt.blkid_type(dev), "xfs")
        rc, out, err = run_kura("saveparts", "--repo", "dev:LABEL=KURAXFS", "--progress=none", "--verbose", "img",
                                self.source)
        self.assertKura((rc, out, err), EXIT_OK)
        self.assertIn("mounted %s (xfs)" % dev, err)
        self.assertEqual(mounts_of(dev), [])
        self.assertKura(run_kura("checkimage", "--repo", "dev:" + dev, "--progress=none", "img"), EXIT_OK)
        mnt = self.path("look")
        os.mkdir(mnt)
        run(["mount", "-o", "ro", dev, mnt])
        try:
            self.assertEqual(os.stat(os.path.join(mnt, "img")).st_mode & 0o777, 0o700)
        finally:
            run(["umount", mnt])

    def test_labels_are_read_from_the_devices_now(self):
        """dev:LABEL= is looked up by probing the devices as they are now, never the blkid
        cache: a loop device reused for a reformatted file is found by its new label; a
        label two devices hold is refused naming both, and nothing is written to either."""
        backing = kt.make_ext(self.path("relabel.img"), 16 * MiB, ["-t", "ext4", "-L", "KURAOLDLABEL"])
        with kt.loop_device(backing) as dev:
            # What a stale cache holds: the device under its old label.
            run(["blkid", "-c", "/run/blkid/blkid.tab", dev], check=False)
        run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "KURANEWLABEL", backing])
        dev = self.attach_loop(backing)
        rc, out, err = run_kura("saveparts", "--repo", "dev:LABEL=KURANEWLABEL", "--progress=none", "--verbose",
                                "img", self.source)
        self.assertKura((rc, out, err), EXIT_OK)
        self.assertIn("mounted %s (ext4)" % dev, err)
        rc, out, err = run_kura("list-images", "--repo", "dev:LABEL=KURAOLDLABEL")
        self.assertKura((rc, out, err), kt.EXIT_NOT_FOUND)
        self.assertIn("--repo dev:LABEL=KURAOLDLABEL: no partition has LABEL=KURAOLDLABEL; candidates: ", err)

        twin = self.path("twin.img")
        with open(backing, "rb") as src, open(twin, "wb") as dst:
            dst.write(src.read())
        twin_dev = self.attach_loop(twin)
        before = (kt.sha256_file(backing), kt.sha256_file(twin))
        rc, out, err = run_kura("saveparts", "--repo", "dev:LABEL=KURANEWLABEL", "--progress=none", "img2",
                                self.source)
        self.assertKura((rc, out, err), EXIT_USAGE)
        self.assertIn("--repo dev:LABEL=KURANEWLABEL: 2 partitions have LABEL=KURANEWLABEL (", err)
        self.assertIn("); name the one to use, e.g. dev:", err)
        for d in (dev, twin_dev):
            self.assertIn(os.path.basename(d), err)
        self.assertEqual((kt.sha256_file(backing), kt.sha256_file(twin)), before)
        self.assertEqual(mounts_of(dev) + mounts_of(twin_dev), [])


if __name__ == "__main__":
    main()
