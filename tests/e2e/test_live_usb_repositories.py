#!/usr/bin/python3
"""Repositories on the drives people carry: a USB stick formatted NTFS and another formatted
exFAT (each MBR with one partition, as Windows formats them), on QEMU's xHCI as usb-storage.

One boot does both (the live ISO mounts NTFS with ntfs-3g over FUSE - Debian's kernel has no
ntfs3 - and exFAT with the kernel's exfat module):
- kura-menu offers both partitions under local_dev and opens the NTFS one (where the ISO
  used to say "ntfs-3g is not installed");
- in the menu's shell, a server disk (virtio, MBR: ext4, FAT32, swap, raw bytes, ext4) is
  saved into each stick, each is listed and checked (kura checkimage), and each image is
  restored onto a blank disk of its own;
- the host checks both restored disks against the source (boot area, table, fsck, file
  trees) and, through ntfs-3g on a loop device of its own, the image on the NTFS stick.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, MiB, di, kt  # noqa: E402

NTFS_LABEL = "KURA-NTFS"
EXFAT_LABEL = "KURA-EXFAT"   # exFAT labels hold 11 characters


def make_stick(ws, path, label, kind, size_mib=256):
    """A stick image: MBR, one partition of type 7 (NTFS and exFAT share it), formatted on
    the host by mkntfs (ntfs-3g) or mkfs.exfat (exfatprogs)."""
    kt.zeroed_file(path, size_mib * MiB)
    kt.run(["sfdisk", "-q", path], input="label: dos\nstart=2048, type=7\n")
    start, size = di.table(path)[1]
    fs = os.path.join(ws, kind + "-fs.img")
    if kind == "ntfs":
        kt.make_ntfs(fs, size * di.SECTOR, label=label)
    else:
        kt.zeroed_file(fs, size * di.SECTOR)
        kt.run(["mkfs.exfat", "-L", label, fs])
    di.copy_into(path, start, fs)
    os.remove(fs)
    return path


class UsbRepositories(LiveTestCase):
    REQUIRED_TOOLS = LiveTestCase.REQUIRED_TOOLS + ("mkfs.exfat", "ntfs-3g")

    def test_ntfs_and_exfat_sticks_hold_images(self):
        started = time.monotonic()
        layout = di.make_mbr_disk(self.tmp, self.path("server.img"))
        blank_ntfs = kt.zeroed_file(self.path("from-ntfs.img"), 200 * MiB)
        blank_exfat = kt.zeroed_file(self.path("from-exfat.img"), 200 * MiB)
        ntfs_stick = make_stick(self.tmp, self.path("ntfs-stick.img"), NTFS_LABEL, "ntfs")
        exfat_stick = make_stick(self.tmp, self.path("exfat-stick.img"), EXFAT_LABEL, "exfat")
        g = self.guest(entry="serial0", drives=[
            "file=%s,if=virtio,format=raw" % layout.path,
            "file=%s,if=virtio,format=raw" % blank_ntfs,
            "file=%s,if=virtio,format=raw" % blank_exfat,
            "if=none,id=ntfs,file=%s,format=raw" % ntfs_stick,
            "if=none,id=exfat,file=%s,format=raw" % exfat_stick,
        ], devices=[
            "qemu-xhci,id=xhci",
            "usb-storage,bus=xhci.0,drive=ntfs,serial=KURANTFS01",
            "usb-storage,bus=xhci.0,drive=exfat,serial=KURAEXFAT1",
        ])

        g.wait_menu("Language / ", "en_US.UTF-8")
        g.choose("en_US.UTF-8")
        g.wait_for("Keyboard", "Keep the default")
        g.choose("Keep the default")
        g.wait_for("Where images live", "local_dev")
        g.choose("local_dev")
        shown = g.wait_for(NTFS_LABEL, EXFAT_LABEL)
        # USB disks are named in the order they are found: the partitions by their labels.
        ntfs_part = re.search(r"\b(sd[a-z]+1)\b.*" + NTFS_LABEL, shown)
        exfat_part = re.search(r"\b(sd[a-z]+1)\b.*" + EXFAT_LABEL, shown)
        self.assertIsNotNone(ntfs_part, shown)
        self.assertIsNotNone(exfat_part, shown)
        self.assertRegex(shown, r"ntfs.*%s|%s.*ntfs" % (NTFS_LABEL, NTFS_LABEL))
        self.assertRegex(shown, r"exfat.*%s|%s.*exfat" % (EXFAT_LABEL, EXFAT_LABEL))
        self.open_local_repository_named(g, ntfs_part.group(1), NTFS_LABEL)
        g.shell_from_mode("Mode")

        out, rc = g.run("grep -wE 'fuseblk|exfat' /proc/filesystems; grep ' fuseblk ' /proc/mounts", timeout=30)
        self.assertEqual(rc, 0, out)
        self.assertIn("exfat", out)
        self.assertIn("/dev/%s " % ntfs_part.group(1), out)   # the menu's NTFS repository, through ntfs-3g

        for label, image, target, fs in ((NTFS_LABEL, "on-ntfs", "vdb", "ntfs"),
                                         (EXFAT_LABEL, "on-exfat", "vdc", "exfat")):
            repo = "dev:LABEL=" + label
            t0 = time.monotonic()
            out, rc = g.run("kura savedisk --repo %s -z zstd %s vda >/tmp/%s.log 2>&1; echo savedisk=$?; "
                            "grep -E 'mounted /dev/|already mounted' /tmp/%s.log" % (repo, image, fs, fs), timeout=900)
            self.assertIn("savedisk=0", out, out)
            if fs == "exfat":
                # kura mounted it itself, with the kernel's exfat.
                self.assertRegex(out, r"mounted /dev/%s \(exfat\)" % exfat_part.group(1))
            else:
                # The menu holds it open (ntfs-3g): kura uses that mount.
                self.assertIn("already mounted", out)
            out, rc = g.run("kura list-images --repo %s; kura checkimage --repo %s %s >/tmp/%s-check.log 2>&1; "
                            "echo checkimage=$?" % (repo, repo, image, fs), timeout=900)
            self.assertRegex(out, r"(?m)^%s\b" % image)
            self.assertIn("checkimage=0", out)
            out, rc = g.run("kura restoredisk --repo %s --yes %s %s >/tmp/%s-restore.log 2>&1; "
                            "echo restoredisk=$?; tail -3 /tmp/%s-restore.log" % (repo, image, target, fs, fs),
                            timeout=900)
            self.assertIn("restoredisk=0", out)
            print("\n%s: save, list, check, restore in %.1f s (TCG)" % (label, time.monotonic() - t0), flush=True)
        g.run("sync")
        # A graceful power off: kura-shutdown unmounts the NTFS stick, ntfs-3g closes it clean.
        g.process.send("poweroff\r")
        self.assertTrue(g.wait_exit(120), "the guest did not power off")

        di.check_restored(self, layout, blank_ntfs, self.tmp)
        di.check_restored(self, layout, blank_exfat, self.tmp)
        # The host reads the NTFS stick with its own ntfs-3g and checks the image there too.
        loop = self.enterContext(kt.partitioned_loop(ntfs_stick))
        mnt = self.path("ntfs-mnt")
        self.enterContext(kt.ntfs_mounted(loop + "p1", mnt, "ro"))
        self.assertKura(kt.run_kura("checkimage", "--repo", mnt, "on-ntfs"), 0)
        print("\nNTFS and exFAT sticks: %.1f s in all" % (time.monotonic() - started), flush=True)

    def open_local_repository_named(self, g, partition, label):
        g.choose(partition)
        g.wait_for("dev:" + partition)
        g.keys("Enter")


if __name__ == "__main__":
    kt.main()
