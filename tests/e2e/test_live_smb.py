#!/usr/bin/python3
"""A Windows (SMB) share as the repository of the live ISO: kura.repo=smb://... on the
kernel command line brings the network up at boot and presets the share, the menu asks only
the password, and savedisk writes the image to smbd on this host's 127.0.0.1 (inside a
private network namespace, reached through a QEMU forward). This is the ISO's copy of
libsmbclient and Samba's libraries at work; the host checks the image."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, di, kt, save_disk_through_menu  # noqa: E402
import netservers as ns  # noqa: E402

IMAGE = "smb-img"
SERVER = "10.0.2.100"
PASSWORD = "Kura-e2e-SMB-pw1"


class SmbShare(LiveTestCase):
    def test_savedisk_to_a_preset_smb_share(self):
        share = self.path("share")
        os.makedirs(share)
        self.enterContext(ns.smb_server(self.path("smb"), share, PASSWORD))
        layout = di.make_gpt_disk(self.tmp, self.path("server.img"))
        location = "smb://%s@%s:%d/backup" % (ns.SMB_USER, SERVER, ns.SMB_PORT)
        g = self.guest(entry="serial0", params="kura.lang=en kura.keymap=us kura.repo=" + location,
                       guest_forwards=[(SERVER, ns.SMB_PORT, ns.SMB_PORT)],
                       drives=["file=%s,if=virtio,format=raw" % layout.path])
        g.wait_serial(r"kura: network: eth0 is 10\.0\.2\.15/24 \(DHCP\)", timeout=240)
        # The preset leaves only the password to ask.
        g.wait_menu("Password of %s" % ns.SMB_USER, timeout=120)
        g.type(PASSWORD)
        g.keys("Enter")
        g.wait_for("Free space", location, timeout=60)
        g.keys("Enter")
        save_disk_through_menu(g, IMAGE, "vda")
        g.choose("Power off")
        self.assertTrue(g.wait_exit(120), "the guest did not power off")

        self.assertKura(kt.run_kura("checkimage", "--repo", share, IMAGE), 0)
        with open(os.path.join(share, IMAGE, "Info-saved-by-cmd.txt")) as f:
            self.assertIn(location, f.read())
        # The password went nowhere near the image or the logs copied into it.
        for name in os.listdir(os.path.join(share, IMAGE)):
            with open(os.path.join(share, IMAGE, name), "rb") as f:
                self.assertNotIn(PASSWORD.encode(), f.read(), name)


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
