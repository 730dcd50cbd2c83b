#!/usr/bin/python3
"""The boot menu as an operator at a serial console sees it (iLO's virtual serial port, the
demo's terminal): isolinux under SeaBIOS and GRUB under OVMF, both with QEMU -nographic, where
the firmware also mirrors its text screen onto the line.

The line is read as text through an 80x24 terminal: one copy of each entry, no letter twice,
nothing drawn below the 24th row, and the arrow keys move the highlight (checked after every
key) before Enter boots the entry chosen. Left alone, the countdown boots the default entry,
and the menu still comes up on the serial line."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, kt  # noqa: E402
from live_guest import boot_entries  # noqa: E402

LABELS = [label for _, label in boot_entries()]
DOWN, UP = "\x1b[B", "\x1b[A"


class ArrowCameApart(Exception):
    """isolinux took an arrow key's Esc alone and left the menu for its boot: prompt.

    isolinux waits 50 ms for the rest of an escape sequence. QEMU's emulated UART takes one
    byte at a time from the terminal, and the next only when QEMU's main loop runs again,
    which on a loaded 2-core host can be later than that (the three bytes are sent in one
    write). Not the menu's doing: a real serial line delivers them 87 us apart."""


class SerialBootMenu(LiveTestCase):
    def menu_screen(self, g):
        """The boot menu, drawn whole; checks that each entry is on it once."""
        g.wait_for(*LABELS, timeout=180)
        shown = g.text()
        for label in LABELS:
            self.assertEqual(shown.count(label), 1, "%r is not on the screen once:\n%s" % (label, shown))
        # The two interleaved copies used to read "DDeeffaauulltt  sseettttiinnggss".
        self.assertNotIn("DDeeffaauulltt", g.serial_text())
        return shown

    def highlighted_label(self, g):
        y = g.highlighted_line()
        if y is None:
            return None
        line = g.screen.display[y]
        found = [label for label in LABELS if label in line]
        return found[0] if found else None

    def press(self, g, key, expected):
        """One arrow key; the highlight must land on `expected` (the redraw is read back)."""
        for attempt in range(2):
            g.process.send(key)
            g._pump(0.3)
            if self.title == "kura - disk backup and restore" and "boot:" in g.text():
                raise ArrowCameApart()
            deadline = time.monotonic() + 8
            while self.highlighted_label(g) != expected and time.monotonic() < deadline:
                g._pump(0.3)
            if self.highlighted_label(g) == expected:
                break
            # Under TCG the bytes of an arrow key may reach the loader far enough apart
            # that it drops them; said once, and the key is pressed again.
            print("\n%r: no move after %r; pressed again" % (expected, key), flush=True)
        self.assertEqual(self.highlighted_label(g), expected, "the highlight did not move; the screen shows:\n%s"
                         % g.text())
        # Still one menu: a redraw that scrolled would have pushed the title off its row.
        self.assertIn(self.title, g.screen.display[1])

    def screen_pixels(self, g, name):
        """The VGA screen (QEMU's screendump): its size and how many pixels are lit."""
        width, height, pixels = g.screendump(self.path(name + ".ppm"))
        lit = sum(1 for i in range(0, len(pixels), 3) if pixels[i] | pixels[i + 1] | pixels[i + 2])
        colours = len({pixels[i:i + 3] for i in range(0, len(pixels), 3)})
        print("\n%s: the screen is %dx%d, %d pixels lit, %d colours" % (name, width, height, lit, colours),
              flush=True)
        return width, height, lit, colours

    def move_and_boot(self, g, target):
        current = LABELS.index(self.highlighted_label(g))
        goal = LABELS.index(target)
        # Down past the target and back up once: both keys are shown to work.
        for i in range(current + 1, goal + 2):
            self.press(g, DOWN, LABELS[i])
        self.press(g, UP, LABELS[goal])
        g.process.send("\r")

    def test_isolinux_menu_on_serial(self):
        started = time.monotonic()
        self.title = "kura - disk backup and restore"
        try:
            self.isolinux_menu_on_serial(started)
        except ArrowCameApart:
            # Said, and tried once more in a new boot (the class above says why).
            print("\nisolinux left its menu for boot: after an arrow key whose bytes came apart "
                  "(QEMU's UART on a loaded host); booting again", flush=True)
            self.first_guest.close()
            if os.path.exists(self.first_guest.monitor):
                os.remove(self.first_guest.monitor)
            self.isolinux_menu_on_serial(time.monotonic(), log_name="serial-again.log")

    def isolinux_menu_on_serial(self, started, log_name="serial.log"):
        g = self.first_guest = self.guest(entry=None, log_name=log_name)
        self.menu_screen(g)
        self.assertEqual(self.highlighted_label(g), LABELS[0])
        self.press(g, DOWN, LABELS[1])   # a key stops the countdown
        # The screen shows the menu too, in vesamenu's 640x480 graphics (SeaBIOS's text
        # screen before it is 720x400).
        width, height, lit, colours = self.screen_pixels(g, "isolinux")
        self.assertEqual((width, height), (640, 480))
        self.assertGreaterEqual(colours, 3)   # background, text, the highlight bar
        self.move_and_boot(g, "Serial console (ttyS0, 115200)")
        g.wait_menu("Language / ", "en_US.UTF-8")
        self.assertRegex(g.serial_text(), r"kernel command line: .*nomodeset console=tty0 console=ttyS0,115200n8")
        print("\nisolinux: menu read, entry chosen with the arrow keys, kura-menu after %.1f s"
              % (time.monotonic() - started), flush=True)

    def test_grub_menu_on_serial(self):
        started = time.monotonic()
        self.title = "GNU GRUB"
        g = self.guest(firmware="uefi", entry=None)
        self.menu_screen(g)
        self.press(g, DOWN, LABELS[1])   # a key stops the countdown
        # The screen shows the menu too, through gfxterm (a box, eight entries and the help
        # lines: far more than the firmware's few lines of text before it).
        width, height, lit, colours = self.screen_pixels(g, "grub")
        self.assertGreater(lit, 8000)
        self.move_and_boot(g, "Serial console (ttyS0, 115200)")
        g.wait_menu("Language / ", "en_US.UTF-8")
        self.assertRegex(g.serial_text(), r"kernel command line: .*nomodeset console=tty0 console=ttyS0,115200n8")
        print("\nGRUB: menu read, entry chosen with the arrow keys, kura-menu after %.1f s"
              % (time.monotonic() - started), flush=True)

    def test_countdown_boots_the_default_entry_which_speaks_on_serial(self):
        """No key at all: the default (VGA) entry boots and the menu runs on ttyS0 too."""
        started = time.monotonic()
        g = self.guest(entry=None)
        self.menu_screen(g)
        g.wait_serial(r"Automatic boot in", timeout=30)
        g.wait_menu("Language / ", "en_US.UTF-8")
        # The VGA entry's /dev/console is the screen (console=tty0 last): /init's own lines
        # went there, not here, so this is the default entry and not a serial one.
        self.assertNotIn("kura live system starting", g.serial_text())
        print("\ncountdown: the default entry's menu on ttyS0 after %.1f s" % (time.monotonic() - started),
              flush=True)


if __name__ == "__main__":
    kt.main()
