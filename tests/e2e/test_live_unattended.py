#!/usr/bin/python3
"""Unattended: kura.run="savedisk ..." on the kernel command line saves the server disk with
no keystroke at all and powers the machine off; kura.repo= names the repository. A failing
kura.run leaves the machine on, with the error on the console and the menu started."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, di, kt, make_repository_disk  # noqa: E402

IMAGE = "unattended-img"


class Unattended(LiveTestCase):
    def test_savedisk_without_a_keystroke_then_power_off(self):
        layout = di.make_gpt_disk(self.tmp, self.path("server.img"))
        repo = make_repository_disk(self.tmp, self.path("repo.img"))
        g = self.guest(entry="serial0", params='kura.repo=dev:vdb1 kura.run="savedisk -p poweroff %s vda"' % IMAGE,
                       drives=["file=%s,if=virtio,format=raw" % layout.path,
                               "file=%s,if=virtio,format=raw" % repo])
        # From here on nothing is typed.
        self.assertTrue(g.wait_exit(900), "the guest did not power off; serial tail:\n" + g.serial_text()[-3000:])
        serial = g.serial_text()
        self.assertIn("kura.run: kura savedisk --repo dev:vdb1 %s vda (then poweroff)" % IMAGE, serial)
        self.assertIn("kura.run: done (exit 0); poweroff", serial)

        mnt = self.repository_partition(repo)
        self.assertKura(kt.run_kura("checkimage", "--repo", mnt, IMAGE), 0)
        with open(os.path.join(mnt, IMAGE, "disk")) as f:
            self.assertEqual(f.read().split(), ["vda"])
        # The boot log travels with the image.
        with open(os.path.join(mnt, IMAGE, "kura-live-init.log")) as f:
            self.assertIn('kura.run="savedisk -p poweroff %s vda"' % IMAGE, f.read())
        with open(os.path.join(mnt, IMAGE, "kura-live-kura-run.log")) as f:
            self.assertIn("kura.run: kura savedisk", f.read())

    def test_a_failing_run_keeps_the_machine_on(self):
        layout = di.make_gpt_disk(self.tmp, self.path("server.img"))
        g = self.guest(entry="serial0", params='kura.run="savedisk --repo dev:vdz9 never-img vda"',
                       drives=["file=%s,if=virtio,format=raw" % layout.path])
        g.wait_serial(r"kura\.run: FAILED \(exit \d+\); the machine stays on", timeout=300)
        g.wait_menu("Language / ", "en_US.UTF-8", timeout=60)
        self.assertTrue(g.process.isalive())
        self.assertIn("vdz9", g.serial_text())


if __name__ == "__main__":
    kt.main()
