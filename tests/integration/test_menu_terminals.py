# SPDX-License-Identifier: GPL-3.0-or-later
"""kura-menu on the terminals a server's console can be: the terminfo entries of serial
consoles and remote consoles (vt100, vt102, linux, xterm), colour and monochrome, at the
80x25 of a remote console and larger. On each: the first screen is drawn whole, arrows and
Enter move forward, Esc goes back, Japanese text is laid out by display width, and an
escape sequence the terminal's entry does not know (a function key) is not taken for Esc.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
from menu_terminal import MenuTerminal  # noqa: E402


class MenuTerminals(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("tmux",)

    def setUp(self):
        super().setUp()
        disk = self.path("disk.img")
        kt.zeroed_file(disk, 16 * kt.MiB)
        self.disk = self.attach_loop(disk)

    def walk(self, term, columns, lines, env=None):
        m = MenuTerminal(["--devices", self.disk, "--log", self.path("menu-%s.log" % term)], term=term,
                         columns=columns, lines=lines, env=env)
        self.addCleanup(m.close)
        shown = m.wait_for("Language / 言語", "en_US.UTF-8", "ja_JP.UTF-8", "Esc: back")
        rows = shown.splitlines()
        self.assertEqual(len(rows), lines, "%s %dx%d: the screen is not %d rows" % (term, columns, lines, lines))
        box = [r for r in rows if "│" in r]
        self.assertTrue(box, shown)
        # The box's right border is in one column on every row, the Japanese one included:
        # 日本語 takes two cells a character.
        ends = {len(r.rstrip()) + sum(1 for c in r.rstrip() if "\u3000" <= c <= "\u9fff") for r in box}
        self.assertEqual(len(ends), 1, "%s: ragged right border:\n%s" % (term, shown))

        m.select("ja_JP.UTF-8")
        m.keys("Enter")
        m.wait_for("キーボード", "jp106")
        # A function key's sequence this terminfo entry does not know is ignored, not "back".
        m._tmux("send-keys", "-t", "menu", "-l", "\x1b[24~")
        time.sleep(0.5)
        self.assertIn("キーボード", m.screen())
        m.keys("Escape")
        m.wait_for("Language / 言語")
        self.assertIn("ja_JP.UTF-8", "".join(m.lines_and_cursor()[0][m.lines_and_cursor()[1]]))
        m.select("en_US.UTF-8")
        m.keys("Enter")
        m.wait_for("Keyboard", "Keep the default keyboard layout")
        m.keys("Down", "Down", "Enter")
        m.wait_for("Choose the keyboard layout", "de")
        m.keys("Escape", "Escape")
        m.wait_for("Language / 言語")
        self.assertTrue(m.running())
        m.close()

    def test_serial_console_entries(self):
        for term in ("vt100", "vt102"):
            with self.subTest(term=term):
                self.walk(term, 80, 25)

    def test_linux_console_and_xterm_in_colour_and_monochrome(self):
        self.walk("linux", 80, 25)
        self.walk("xterm", 80, 25)
        self.walk("xterm-256color", 80, 25, env={"NO_COLOR": "1"})

    def test_larger_screens(self):
        self.walk("xterm", 132, 43)
        self.walk("vt102", 100, 30)

    def test_a_screen_too_small_says_so(self):
        m = MenuTerminal(["--devices", self.disk, "--log", self.path("small.log")], columns=24, lines=8)
        self.addCleanup(m.close)
        shown = m.wait_for("Please enlarge")
        self.assertTrue(m.running(), shown)


if __name__ == "__main__":
    kt.main()
