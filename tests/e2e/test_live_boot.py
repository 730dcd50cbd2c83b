#!/usr/bin/python3
"""The live ISO boots to kura-menu under SeaBIOS (isolinux) and under OVMF (GRUB), on the
serial console entry; the time from QEMU's start to the menu is printed."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, kt  # noqa: E402


class BootToMenu(LiveTestCase):
    def boot(self, firmware):
        g = self.guest(firmware=firmware, entry="serial0")
        shown = g.wait_menu("Language / 言語", "en_US.UTF-8", "ja_JP.UTF-8")
        print("\n%s: QEMU start to kura-menu: %.1f s (TCG)" % (firmware, g.menu_seconds), flush=True)
        serial = g.serial_text()
        self.assertIn("console=ttyS0,115200n8", serial)
        self.assertRegex(serial, r"kura: coldplug: \d+ modules loaded")
        self.assertIn("日本語", shown)  # UTF-8 reaches the serial terminal untouched
        return g

    def test_seabios_isolinux(self):
        g = self.boot("bios")
        self.assertIn("kura: boot medium /dev/sr0 mounted read-only", g.serial_text())

    def test_ovmf_grub(self):
        self.boot("uefi")


if __name__ == "__main__":
    kt.main()
