#!/usr/bin/python3
"""A driver disk brings a disk controller the live ISO lacks.

QEMU's lsi53c895a SCSI controller needs sym53c8xx, which drivers/modules.list leaves out
on purpose. The driver disk carries it with its helper scsi_transport_spi (the ISO has that
one too now, for mptspi and BusLogic: the same file twice does no harm, and a driver disk
made for an older ISO must keep working). It is made by the real
drivers/mkdriverdisk from the real .ko files of the Debian kernel package the ISO is built
from, and attached as a USB stick. The disk behind the lsi controller holds the image
repository (GPT, ext4 KURA-IMAGES): kura-menu can offer its partition only if the driver
bound, so the repository list is the proof that counts; the shell then shows the module
loaded and the disk's model.

Two boots: kura.drivers=LABEL (nothing asked), and kura.dd, where the live system asks on
the serial console and the test answers with keystrokes.
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, REPO_LABEL, kt, make_repository_disk  # noqa: E402
from live_guest import TOP  # noqa: E402
from kernel_package import release_of, scsi_modules  # noqa: E402

MKDD = os.path.join(TOP, "drivers", "mkdriverdisk")
DD_LABEL = "KURADD-LSI"
MODULES = ("sym53c8xx_2/sym53c8xx.ko", "scsi_transport_spi.ko")


class LiveDriverDisk(LiveTestCase):
    def setUp(self):
        super().setUp()
        scsi = scsi_modules()
        self.release = release_of(scsi)
        # The test's own copies: mkdriverdisk gets files this test created.
        modules = []
        for rel in MODULES:
            dst = self.path(os.path.basename(rel))
            shutil.copyfile(os.path.join(scsi, rel), dst)
            modules.append(dst)
        self.dd = self.path("driver-disk.img")
        kt.run([MKDD, "--label", DD_LABEL, "--name", "LSI 53C895A (e2e)", self.dd, *modules])
        self.repo = make_repository_disk(self.tmp, self.path("repo.img"))

    def boot(self, params):
        return self.guest(entry="serial0", params=params, drives=[
            "if=none,id=dd,file=%s,format=raw" % self.dd,
            "if=none,id=sd,file=%s,format=raw" % self.repo,
        ], devices=[
            "qemu-xhci,id=xhci", "usb-storage,bus=xhci.0,drive=dd",
            "lsi53c895a,id=lsi", "scsi-hd,bus=lsi.0,drive=sd,serial=KURALSI01",
        ])

    def repository_on_lsi_disk(self, g):
        """Through the menu to local_dev's partition list: the lsi disk's KURA-IMAGES
        partition is there, is chosen, and the mode screen's shell shows the driver."""
        shown = self.walk_to_local_partitions(g)
        # Disk names depend on probe order (the USB stick is sda): found by the label.
        found = re.search(r"\b(sd[a-z]+1)\b.*" + REPO_LABEL, shown)
        self.assertIsNotNone(found, "no sdX1 partition labelled %s:\n%s" % (REPO_LABEL, shown))
        part = found.group(1)
        self.open_local_repository(g, part)
        g.shell_from_mode("Mode")
        out, rc = g.run("lsmod | grep -E '^(sym53c8xx|scsi_transport_spi) '")
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"(?m)^sym53c8xx ")
        self.assertRegex(out, r"(?m)^scsi_transport_spi ")
        disk = part[:-1]
        # The repository partition's disk hangs off a SCSI host that sym53c8xx drives, and
        # it is QEMU's scsi-hd (the only other disk, the USB stick, is usb-storage's).
        out, rc = g.run("d=$(readlink -f /sys/block/%s/device); cat ${d%%/target*}/scsi_host/*/proc_name "
                        "/sys/block/%s/device/model" % (disk, disk))
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.split(None, 1)[0], "sym53c8xx", out)
        self.assertIn("QEMU HARDDISK", out)
        # The module came from the driver disk, not from the ISO.
        out, rc = g.run("ls /lib/modules/$(uname -r)/updates/kura-dd/")
        self.assertEqual(rc, 0, out)
        self.assertEqual(sorted(out.split()), ["scsi_transport_spi.ko", "sym53c8xx.ko"])
        return part

    def test_kura_drivers_label_loads_without_a_question(self):
        g = self.boot("kura.drivers=" + DD_LABEL)
        g.wait_serial(r"kura: kura-driver-disk: loaded sym53c8xx\.ko from /dev/sd[a-z]+", timeout=240)
        g.wait_serial(r"kura: driver disk module sym53c8xx is loaded", timeout=120)
        g.wait_serial(r"kura: driver disk module scsi_transport_spi is loaded", timeout=30)
        self.assertNotIn("driver disk>", g.serial_text())
        self.repository_on_lsi_disk(g)

    def test_kura_dd_asks_on_the_serial_console(self):
        g = self.boot("kura.dd")
        g.wait_serial(r"Driver disks found \(this kernel: %s\):" % re.escape(self.release), timeout=240)
        listed = g.wait_serial(r"  1\) LSI 53C895A \(e2e\)  \[%s\]  (/dev/sd[a-z]+)  kernels: %s"
                               % (DD_LABEL, re.escape(self.release)), timeout=30)
        g.wait_serial(r"driver disk> $", timeout=30)
        g.type("1\r")
        g.wait_serial(r"kura-driver-disk: loaded sym53c8xx\.ko from %s" % listed.group(1), timeout=60)
        # Asked again, with the same list: Enter goes on with the boot.
        g.wait_serial(r"(?s)loaded scsi_transport_spi\.ko.*driver disk> ", timeout=30)
        g.type("\r")
        g.wait_serial(r"kura: driver disk module sym53c8xx is loaded", timeout=120)
        self.repository_on_lsi_disk(g)


if __name__ == "__main__":
    kt.main()
