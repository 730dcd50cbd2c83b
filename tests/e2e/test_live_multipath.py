#!/usr/bin/python3
"""One LUN seen through two paths: the live system joins them with dm-multipath and kura
lists and saves the LUN once.

QEMU attaches one disk image twice to a virtio-scsi controller, both times with the same
serial and WWN (the second path of a dual-ported SAS disk or of an FC SAN LUN). /init sees
the WWID twice and starts multipath-tools, which here runs without udev
(start_multipath_if_needed in live-iso/files/lib/live-lib.sh says how). kura-menu's
savedisk then offers the map, not sda and sdb, and saves it; the host checks the image
with `kura checkimage` and by restoring it onto a blank disk.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, MiB, di, kt, make_repository_disk, save_disk_through_menu  # noqa: E402

IMAGE = "mpath-img"
WWN = "0x5000c50015ea71ac"


class LiveMultipath(LiveTestCase):
    def test_one_lun_through_two_paths_is_listed_and_saved_once(self):
        layout = di.make_gpt_disk(self.tmp, self.path("server.img"))
        repo = make_repository_disk(self.tmp, self.path("repo.img"))
        # Two paths to one image: QEMU's image locking would refuse the second open and
        # scsi-hd a second writer, hence file.locking=off and share-rw=on. The same serial
        # and WWN give both paths the same VPD pages 0x80/0x83, i.e. the same WWID.
        same_lun = "serial=KURAMP01,wwn=%s,share-rw=on" % WWN
        g = self.guest(entry="serial0", drives=[
            "if=none,id=path1,file=%s,format=raw,file.locking=off" % layout.path,
            "if=none,id=path2,file=%s,format=raw,file.locking=off" % layout.path,
            "file=%s,if=virtio,format=raw" % repo,
        ], devices=[
            "virtio-scsi-pci,id=scsi0",
            "scsi-hd,bus=scsi0.0,scsi-id=0,lun=0,drive=path1," + same_lun,
            "scsi-hd,bus=scsi0.0,scsi-id=1,lun=0,drive=path2," + same_lun,
        ])
        # /init: the WWID seen twice, the map made with its partitions (kpartx).
        g.wait_serial(r"kura: multipath: naa\.5000c50015ea71ac is seen through sda sdb", timeout=240)
        g.wait_serial(r"kura: multipath: /dev/mapper/mpatha is ready, partitions: "
                      r"mpatha-part1 mpatha-part2 mpatha-part3 mpatha-part4 mpatha-part5", timeout=120)
        self.walk_to_mode(g, "vda1")

        def only_the_map(shown):
            # The LUN once, as the map; its paths are not offered on their own.
            self.assertRegex(shown, r"dm-0 +251\.7 MB +QEMU HARDDISK.*multipath")
            self.assertNotRegex(shown, r"\b(sda|sdb)\b", shown)
        save_disk_through_menu(g, IMAGE, "dm-0", check_disks=only_the_map)

        # While the guest is up: the map has both paths active (multipathd runs).
        g.choose("Start over")
        g.shell_from_mode("Mode")
        out, rc = g.run("multipathd show paths; multipathd show maps")
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"(?m)^\S+ +sda +8:0 .*active +ready")
        self.assertRegex(out, r"(?m)^\S+ +sdb +8:16 .*active +ready")
        self.assertRegex(out, r"(?m)^mpatha +dm-0 +35000c50015ea71ac")
        g.process.send("poweroff\r")
        self.assertTrue(g.wait_exit(120), "the guest did not power off")

        mnt = self.repository_partition(repo)
        image = os.path.join(mnt, IMAGE)
        with open(os.path.join(image, "disk")) as f:
            disks = f.read().split()
        self.assertEqual(len(disks), 1, "the image names %s" % disks)
        self.assertKura(kt.run_kura("checkimage", "--repo", mnt, IMAGE), 0)
        # The map's partitions, each once and under the one disk's name: the data ones in
        # `parts` (1, 2, 4, 5) and the swap partition (3) as its UUID/label record, as
        # Clonezilla keeps them.
        disk = disks[0]
        with open(os.path.join(image, "parts")) as f:
            self.assertEqual(f.read().split(), [disk + "p%d" % n for n in (1, 2, 4, 5)])
        self.assertTrue(os.path.exists(os.path.join(image, "swappt-%sp3.info" % disk)), os.listdir(image))
        # What was read through the map is the LUN's content: restored here onto a blank
        # disk (a loop device of the test's own file), it passes every check against the
        # layout the server disk was made with.
        blank = kt.zeroed_file(self.path("blank.img"), 240 * MiB)
        with kt.loop_device(blank) as loop:
            self.assertKura(kt.run_kura("restoredisk", "--repo", mnt, "--yes", IMAGE, loop), 0)
        di.check_restored(self, layout, blank, self.tmp)


if __name__ == "__main__":
    kt.main()
