#!/usr/bin/python3
"""Japanese on the VGA console: booted with the default entry (VGA 800x600, vesafb) and
kura.lang=ja, tty1 runs kura-menu inside fbterm, which draws the CJK text with its own font
(the kernel's console font cannot). Checked in the guest's log through the menu's shell on
the serial line, and on the screen itself: QEMU's screendump of the framebuffer."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, kt, make_repository_disk  # noqa: E402
from live_guest import write_png  # noqa: E402


class FbtermOnVga(LiveTestCase):
    def test_fbterm_draws_the_japanese_menu_on_the_framebuffer(self):
        repo = make_repository_disk(self.tmp, self.path("repo.img"), size_mib=64)
        g = self.guest(entry="vga", params="kura.lang=ja kura.keymap=jp106 kura.repo=dev:vda1 console=ttyS0,115200n8",
                       drives=["file=%s,if=virtio,format=raw" % repo])
        # The preset repository opens at once: the serial menu is on its summary.
        g.wait_menu("空き容量", "dev:vda1")
        g.keys("Enter")
        g.shell_from_mode("モード")
        out, rc = g.run("cat /var/log/kura/console.log; cat /sys/class/graphics/fb0/name; pidof fbterm")
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"tty1: fbterm started on /dev/fb0 \(800,600, (16|32) bpp\)")
        self.assertIn("VESA VGA", out)
        self.assertNotIn("fbterm ended at once", out)

        width, height, pixels = g.screendump(self.path("vga.ppm"))
        self.assertEqual((width, height), (800, 600))
        # fbterm's menu: a box with CJK text - many lit pixels, and more than a handful of
        # colours (anti-aliased glyphs), unlike the blank or text-mode screen before it.
        lit = sum(1 for i in range(0, len(pixels), 3) if pixels[i] | pixels[i + 1] | pixels[i + 2])
        colours = len({pixels[i:i + 3] for i in range(0, len(pixels), 3 * 7)})
        if os.environ.get("KURA_SCREENS_DIR"):
            write_png(os.path.join(os.environ["KURA_SCREENS_DIR"], "fbterm-ja.png"), width, height, pixels)
        print("\nVGA screen: %d lit pixels of %d, %d colours" % (lit, width * height, colours), flush=True)
        self.assertGreater(lit, 5000)
        self.assertGreater(colours, 8)


if __name__ == "__main__":
    kt.main()
