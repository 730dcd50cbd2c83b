#!/usr/bin/python3
"""Over the serial console, keystrokes alone: the live ISO's kura-menu saves a server disk
(virtio; GPT: ESP FAT32, NTFS, swap, raw bytes, ext4) into the repository disk, then
restores it onto a blank disk. The host checks the restored disk: the boot area, the
partition table, fsck of every filesystem and identical file trees.

The ISO boots from a USB stick here (the hybrid image written to one, as operators do),
which the other e2e tests boot as a CD: the stick is the first disk, sda, and the menu
refuses it as a restore target because its partition is the mounted boot medium."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import (LiveTestCase, di, kt, make_repository_disk, MiB, restore_disk_through_menu,  # noqa: E402
                      save_disk_through_menu)

IMAGE = "serial-img"


class SerialSaveRestore(LiveTestCase):
    def test_savedisk_then_restoredisk_over_serial(self):
        layout = di.make_gpt_disk(self.tmp, self.path("server.img"))
        blank = kt.zeroed_file(self.path("blank.img"), 240 * MiB)
        repo = make_repository_disk(self.tmp, self.path("repo.img"))
        # virtio disks appear as vda, vdb, vdc in this order.
        g = self.guest(entry="serial0", medium="usb", drives=[
            "file=%s,if=virtio,format=raw" % layout.path,
            "file=%s,if=virtio,format=raw" % blank,
            "file=%s,if=virtio,format=raw" % repo])
        self.walk_to_mode(g, "vdc1")

        save_disk_through_menu(g, IMAGE, "vda", check_disks=lambda shown: self.assertRegex(
            shown, r"vdc +\(.*holds the image repository"))
        g.choose("Start over")
        restore_disk_through_menu(g, IMAGE, "vdb", check_targets=lambda shown: self.assertRegex(
            shown, r"sda +\(.*/run/kura/medium"))
        g.choose("Power off")
        self.assertTrue(g.wait_exit(120), "the guest did not power off")

        di.check_restored(self, layout, blank, self.tmp)
        mnt = self.repository_partition(repo)
        self.assertKura(kt.run_kura("checkimage", "--repo", mnt, IMAGE), 0)
        files = os.listdir(os.path.join(mnt, IMAGE))
        # The live system's logs travel with the image (KURA_LIVE_LOG_DIR=/var/log/kura).
        self.assertIn("kura-live-init.log", files)
        with open(os.path.join(mnt, IMAGE, "kura-live-init.log")) as f:
            self.assertIn("coldplug", f.read())


if __name__ == "__main__":
    kt.main()
