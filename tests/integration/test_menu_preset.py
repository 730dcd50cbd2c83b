# SPDX-License-Identifier: GPL-3.0-or-later
"""A preset repository in the real kura-menu (tmux, 80x25): kura.repo= on the kernel
command line (KURA_CMDLINE_FILE stands in for /proc/cmdline) opens a directory repository
right away and Esc leads to the repository questions filled in from it; --repo wins over
the kernel's; an SMB location with a password in it is refused on the repository screen
without the password showing there or in the menu's log.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
from menu_terminal import MenuTerminal  # noqa: E402

MiB = kt.MiB
SECRET = "boot-Line-Secret-31"


class MenuPreset(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("tmux",)

    def setUp(self):
        super().setUp()
        # One restorable image, saved by the command line, so the repository has something to show.
        self.repo = self.new_repo("images")
        src = kt.make_ext(self.path("src.img"), 32 * MiB, ["-t", "ext4"])
        self.assertKura(kt.run_kura("saveparts", "--repo", self.repo, "--progress=none", "pre-img", src), 0)
        # The menu is confined to a disk of its own that it never writes (no job is run).
        self.disk = kt.zeroed_file(self.path("disk.img"), 16 * MiB)

    def menu(self, kernel_line, extra=()):
        cmdline = self.path("cmdline")
        with open(cmdline, "w") as f:
            f.write(kernel_line + "\n")
        log = self.path("kura-menu.log")
        m = MenuTerminal(["--devices", self.disk, "--log", log] + list(extra), env={"KURA_CMDLINE_FILE": cmdline})
        self.addCleanup(m.close)
        return m, log

    def test_kernel_preset_opens_the_directory_and_esc_shows_it_filled_in(self):
        m, log = self.menu("BOOT_IMAGE=/live/vmlinuz quiet kura.lang=en kura.keymap=us kura.repo=" + self.repo)
        # The workspace's long path wraps in the box: the log names it whole.
        m.wait_for("Image repository", "Images that can be restored: 1")
        m.keys("Escape")
        m.wait_for("Where images live", "mounted_dir")
        lines, cursor = m.lines_and_cursor()
        self.assertIsNotNone(cursor)
        self.assertIn("mounted_dir", lines[cursor])
        m.keys("Enter")
        m.wait_for("Mounted directory", os.path.basename(self.tmp)[-8:] + "/images")  # the field shows its end
        with open(log) as f:
            self.assertIn("preset repository: " + self.repo, f.read())

    def test_the_command_line_wins_over_the_kernel(self):
        m, _ = self.menu("kura.lang=en kura.keymap=us kura.repo=ftp://nas/images", ["--repo", self.repo])
        m.wait_for("Image repository", "Images that can be restored: 1", absent=("ftp://",))

    def test_a_password_in_an_smb_preset_is_refused_and_not_repeated(self):
        m, log = self.menu("kura.lang=en kura.keymap=us kura.repo=smb://backup:%s@nas/images" % SECRET)
        shown = m.wait_for("Where images live", "never accepted")
        self.assertIn("smb://backup:***@nas/images", shown.replace("\n", ""))
        self.assertNotIn(SECRET, shown)
        lines, cursor = m.lines_and_cursor()
        self.assertIn("samba_server", lines[cursor])
        m.close()
        with open(log) as f:
            self.assertNotIn(SECRET, f.read())


if __name__ == "__main__":
    kt.main()
