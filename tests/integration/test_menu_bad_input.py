# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input in the real kura-menu (tmux, 80x25, confined to this test's loop devices): a
server that does not answer, a wrong SMB password, invalid and taken image names, and a
restore target too small for the image. Each time the menu says what is wrong, lets the
operator correct it, and nothing is written: the small target keeps its bytes, no image
directory appears, and neither password is on the screen or in the menu's log.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk_images as di  # noqa: E402
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402
from menu_terminal import MenuTerminal  # noqa: E402

MiB = kt.MiB
PASSWORD = "menu-Secret-5150"
WRONG = "not-the-Password-77"


class MenuBadInput(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("sfdisk", "sgdisk", "mkfs.fat", "mkntfs", "mkswap", "mcopy",
                                                       "tmux", "partx")

    def choose(self, m, text):
        m.select(text)
        m.keys("Enter")

    def escape_to(self, m, text):
        for _ in range(20):
            if text in m.screen():
                return
            m.keys("Escape")
            time.sleep(0.3)
        m.wait_for(text, timeout=2)

    def test_the_menu_explains_and_lets_the_operator_correct(self):
        share = self.path("share")
        os.makedirs(share)
        os.chmod(share, 0o777)
        server = self.enterContext(ns.smb_server(self.path("smb"), share, PASSWORD))
        layout = di.make_gpt_disk(self.tmp, self.path("server-disk.img"))
        source = self.enterContext(kt.partitioned_loop(layout.path))
        # An image of the 240 MiB disk, saved by the command line straight into the share.
        self.assertKura(kt.run_kura("savedisk", "--repo", share, "--progress=none", "pre-img", source), 0)
        kt.run(["chmod", "-R", "a+rwX", share])
        small_file = self.path("small.img")
        kt.zeroed_file(small_file, 100 * MiB)
        small = self.attach_loop(small_file)
        before = sorted(os.listdir(share))

        log = self.path("menu.log")
        m = MenuTerminal(["--devices", small, "--log", log, "--lang", "en", "--keymap", "us"],
                         screens_prefix="en")
        self.addCleanup(m.close)
        m.wait_for("Where images live")
        self.choose(m, "samba_server")
        m.wait_for("Network", "lo")
        self.choose(m, "lo")
        m.wait_for("Network address")
        self.choose(m, "keep")

        # A server nobody answers on: the error names it, within seconds, and the server is asked again.
        m.wait_for("SMB server (IP address")
        m.type("not a host")
        m.keys("Enter")
        m.wait_for("That is not an IP address or a host name.")
        m.keys("C-u")
        m.type("127.0.0.1:4459")
        m.keys("Enter")
        m.wait_for("Share name")
        m.keys("C-u")
        m.type("backup")
        m.keys("Enter")
        m.wait_for("User name")
        m.type(ns.SMB_USER)
        m.keys("Enter")
        m.wait_for("Password of")
        m.type(PASSWORD)
        m.keys("Enter")
        m.wait_for("SMB protocol")
        started = time.monotonic()
        self.choose(m, "auto")
        shown = m.wait_for("SMB server (IP address", "127.0.0.1", timeout=30)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 20, "the unreachable server took %.1f s to be reported" % elapsed)
        m.snap("server-does-not-answer")
        error_lines = [l for l in shown.splitlines() if "4459" in l and "cannot reach the SMB server" in l]
        self.assertTrue(error_lines, "the error does not name the server:\n" + shown)

        # The right server, a wrong password: asked again on the password screen.
        m.keys("C-u")
        m.type("127.0.0.1:4450")
        m.keys("Enter")
        m.wait_for("Share name")
        m.keys("Enter")
        m.wait_for("User name")
        m.keys("Enter")
        m.wait_for("Password of")
        m.type(WRONG)
        m.keys("Enter")
        m.wait_for("SMB protocol")
        self.choose(m, "auto")
        shown = m.wait_for("Password of", timeout=30)
        m.snap("wrong-password")
        self.assertNotIn(WRONG, shown)
        self.assertNotIn("*" * len(WRONG), shown)  # the field starts empty again
        m.type(PASSWORD)
        self.assertNotIn(PASSWORD, m.screen())
        m.keys("Enter")
        m.wait_for("SMB protocol")
        self.choose(m, "auto")
        m.wait_for("Image repository", "Free space", "smb://")
        m.keys("Enter")

        # Image names: invalid, taken, empty - each explained, nothing created.
        m.wait_for("Mode", "savedisk")
        self.choose(m, "savedisk")
        m.wait_for("Image name")
        m.keys("C-u")
        m.type("bad name!")
        m.keys("Enter")
        m.wait_for("Use only letters, digits and . _ - + in the name")
        m.snap("invalid-image-name")
        m.keys("C-u")
        m.type("pre-img")
        m.keys("Enter")
        m.wait_for("An image named pre-img exists already")
        m.keys("C-u", "Enter")
        m.wait_for("Give the image a name.")
        self.escape_to(m, "What do you want to do?")

        # A target too small for the image: shown with the reason, and cannot be chosen.
        self.choose(m, "restoredisk")
        m.wait_for("Choose an image", "pre-img")
        self.choose(m, "pre-img")
        shown = m.wait_for("Target", "too small: needs")
        m.snap("target-too-small")
        small_line = [l for l in shown.splitlines() if os.path.basename(small) in l and "too small" in l]
        self.assertTrue(small_line, shown)
        m.keys("Enter", "Enter")  # nothing to choose: the menu stays
        time.sleep(1)
        self.assertIn("too small: needs", m.screen())
        self.assertNotIn("(y/n)", m.screen())

        # A server that does not answer at all (no route in this network namespace).
        self.escape_to(m, "Where images live")
        self.choose(m, "nfs_server")
        m.wait_for("Network", "lo")
        self.choose(m, "lo")
        m.wait_for("Network address")
        self.choose(m, "keep")
        m.wait_for("NFS server (IP address")
        m.keys("C-u")
        m.type("10.255.255.1")
        m.keys("Enter")
        m.wait_for("Directory on the server")
        m.keys("C-u")
        m.type("/export")
        m.keys("Enter")
        m.wait_for("NFSv3")
        started = time.monotonic()
        self.choose(m, "NFS v3")
        shown = m.wait_for("NFS server (IP address", "10.255.255.1", timeout=60)
        self.assertLess(time.monotonic() - started, 30)
        self.assertTrue([l for l in shown.splitlines() if "10.255.255.1" in l and "NFS server (IP" not in l],
                        "no error naming the server:\n" + shown)
        m.close()

        # Nothing was written anywhere.
        with open(small_file, "rb") as f:
            self.assertEqual(f.read(), bytes(100 * MiB), "the too-small target was written")
        self.assertEqual(sorted(os.listdir(share)), before)
        with open(log, errors="replace") as f:
            text = f.read()
        self.assertNotIn(PASSWORD, text)
        self.assertNotIn(WRONG, text)


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
