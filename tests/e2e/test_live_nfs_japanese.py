#!/usr/bin/python3
"""The live ISO in Japanese on the serial console (kura.lang=ja, kura.keymap=jp106): the
network from DHCP, then savedisk of the server disk to the NFS test server (nfs-ganesha on
this host's 127.0.0.1, inside a private network namespace, reached only through QEMU
forwards of rpcbind, mountd and nfsd) and restoredisk from it onto a blank disk. The serial
line carries the Japanese screens as UTF-8; the host checks the image and the restored disk."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import (JAPANESE, LiveTestCase, di, kt, MiB, restore_disk_through_menu,  # noqa: E402
                      save_disk_through_menu)
import netservers as ns  # noqa: E402

IMAGE = "nfs-ja-img"
SERVER = "10.0.2.100"  # the guest's name for the host's NFS server (QEMU guestfwd)


class NfsInJapanese(LiveTestCase):
    def test_savedisk_and_restoredisk_through_nfs_in_japanese(self):
        export = self.path("export")
        os.makedirs(export)
        self.enterContext(ns.nfs_server(self.path("nfs"), export))
        layout = di.make_gpt_disk(self.tmp, self.path("server.img"))
        blank = kt.zeroed_file(self.path("blank.img"), 240 * MiB)
        forwards = [(SERVER, 111, 111), (SERVER, ns.NFS_PORT, ns.NFS_PORT), (SERVER, ns.MOUNT_PORT, ns.MOUNT_PORT)]
        g = self.guest(entry="serial0", params="kura.lang=ja kura.keymap=jp106", guest_forwards=forwards, drives=[
            "file=%s,if=virtio,format=raw" % layout.path,
            "file=%s,if=virtio,format=raw" % blank])

        g.wait_menu("イメージの保存場所", "nfs_server")
        # The Japanese title arrives as UTF-8 bytes on the serial line.
        self.assertIn("イメージの保存場所".encode("utf-8"), bytes(g.raw))
        print("\nQEMU start to the Japanese menu: %.1f s (TCG)" % g.menu_seconds, flush=True)
        self.assertIn("keymap jp106 loaded", g.serial_text())
        g.choose("nfs_server")
        g.wait_for("ネットワーク", "eth0")
        g.choose("eth0")
        g.wait_for("ネットワークアドレス", "dhcp")
        g.choose("dhcp")
        g.wait_for("NFS サーバー (IP アドレス", timeout=60)
        g.type(SERVER)
        g.keys("Enter")
        g.wait_for("/home/partimag")
        g.keys("C-u")
        g.type("/export")
        g.keys("Enter")
        g.wait_for("NFSv3")
        g.choose("NFS v3")
        g.wait_for("空き容量", "nfs://%s/export" % SERVER, timeout=60)
        g.keys("Enter")

        save_disk_through_menu(g, IMAGE, "vda", JAPANESE)
        g.choose("最初から")
        restore_disk_through_menu(g, IMAGE, "vdb", JAPANESE)
        g.choose("電源を切る")
        self.assertTrue(g.wait_exit(120), "the guest did not power off")

        self.assertKura(kt.run_kura("checkimage", "--repo", export, IMAGE), 0)
        with open(os.path.join(export, IMAGE, "Info-saved-by-cmd.txt")) as f:
            self.assertIn("nfs://%s/export" % SERVER, f.read())
        di.check_restored(self, layout, blank, self.tmp)


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
