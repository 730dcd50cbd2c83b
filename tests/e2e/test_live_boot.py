#!/usr/bin/python3
"""The live ISO boots to kura-menu under SeaBIOS (isolinux) and under OVMF (GRUB), on the
serial console entry; the time from QEMU's start to the menu is printed."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, MiB, di, kt, make_repository_disk  # noqa: E402


class BootToMenu(LiveTestCase):
    def boot(self, firmware, params="", medium="cd"):
        g = self.guest(firmware=firmware, entry="serial0", params=params, medium=medium)
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
        """Extra parameters reach the kernel through GRUB's $kura_extra (set at its command line)."""
        g = self.boot("uefi", params="kura.keymap=jp106")
        self.assertIn("keymap jp106 loaded", g.serial_text())

    def test_usb_stick_uefi(self):
        """The ISO written to a USB stick boots under UEFI from the stick's ESP; the stick's
        ISO 9660 partition is found by its label and mounted read-only. (The BIOS way from
        a stick is test_live_serial_journey's.)"""
        g = self.boot("uefi", medium="usb")
        self.assertIn("kura: boot medium /dev/sda1 mounted read-only", g.serial_text())

    def test_serial_console_ttyS1(self):
        """iLO's virtual serial port is COM2: the ttyS1 entry runs the menu there."""
        com2 = self.path("com2.sock")
        g = self.guest(entry="serial1", qemu_args=["-serial", "stdio", "-serial", "unix:%s,server=on,wait=off" % com2])
        deadline = time.monotonic() + 240
        while not os.path.exists(com2):
            time.sleep(0.1)
        received = b""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as line:
            line.connect(com2)
            line.settimeout(1.0)
            while "Language / 言語".encode() not in received or b"en_US.UTF-8" not in received:
                self.assertLess(time.monotonic(), deadline, "no menu on ttyS1; it sent:\n%r" % received[-2000:])
                try:
                    received += line.recv(65536)
                except socket.timeout:
                    pass
        self.assertIn(b"console=ttyS1,115200n8", received)
        # ttyS0 (this test's own line) saw the boot loader only: the kernel speaks on ttyS1.
        self.assertNotIn("kura live system starting", g.serial_text())

    def test_load_to_ram_lets_the_medium_go(self):
        """kura.toram: the CD is ejected once the menu is up, and the menu goes on working."""
        repo = make_repository_disk(self.tmp, self.path("repo.img"), size_mib=64)
        g = self.guest(entry="toram", params="console=ttyS0,115200n8",
                       drives=["file=%s,if=virtio,format=raw" % repo])
        g.wait_menu("Language / ", "en_US.UTF-8")
        self.assertIn("kura.toram: everything is in RAM; the boot medium (/dev/sr0) is not used", g.serial_text())
        self.assertNotIn("mounted read-only at /run/kura/medium", g.serial_text())
        g.monitor_command("eject -f ide2-cd0")
        self.assertIn("not inserted", g.monitor_command("info block ide2-cd0"))
        self.walk_to_mode(g, "vda1")
        g.shell_from_mode()
        out, rc = g.run("ls /run/kura/medium 2>&1; kura list-disks")
        self.assertEqual(rc, 0, out)
        self.assertIn("vda", out)

    def test_boot_from_the_first_hard_disk(self):
        """The "Boot from the first hard disk" entry (isolinux: chain.c32 hd0) starts the
        disk's own boot code: here a boot sector that prints a line through the BIOS."""
        disk = kt.zeroed_file(self.path("bootable.img"), 1024 * 1024)
        # SeaBIOS mirrors the text screen to the serial line a little behind the cursor: a
        # second line pushes the first one out.
        message = b"KURA-LOCALBOOT-OK\r\nboot sector done\r\n\0"
        code = bytes([
            0x31, 0xC0,              # xor ax, ax
            0x8E, 0xD8,              # mov ds, ax
            0xBE, 0x14, 0x7C,        # mov si, 0x7c14 (the message)
            0xAC,                    # next: lodsb
            0x08, 0xC0,              # or al, al
            0x74, 0x06,              # jz done
            0xB4, 0x0E,              # mov ah, 0x0e (teletype output)
            0xCD, 0x10,              # int 0x10
            0xEB, 0xF5,              # jmp next
            0xEB, 0xFE,              # done: jmp done
        ]) + message
        with open(disk, "r+b") as f:
            f.write(code)
            f.seek(510)
            f.write(b"\x55\xAA")
        g = self.guest(entry="disk", drives=["file=%s,if=virtio,format=raw" % disk])
        g.wait_serial(r"K+U+R+A+-+L+O+C+A+L+B+O+O+T+-+O+K+", timeout=120)
        self.assertNotIn("kura live system starting", g.serial_text())

    def test_boot_from_the_first_hard_disk_uefi(self):
        """Under UEFI the same entry starts the first disk's \\EFI\\BOOT\\BOOTX64.EFI: here a
        small GRUB image that prints a line."""
        esp_tree = self.path("esp")
        os.makedirs(os.path.join(esp_tree, "EFI", "BOOT"))
        config = self.path("early.cfg")
        with open(config, "w") as f:
            f.write("echo KURA-LOCALBOOT-UEFI-OK\nsleep 600\n")
        kt.run(["grub-mkimage", "-O", "x86_64-efi", "-o", os.path.join(esp_tree, "EFI", "BOOT", "BOOTX64.EFI"),
                "-p", "/", "-c", config, "echo", "sleep"])
        disk = kt.zeroed_file(self.path("uefi-disk.img"), 64 * MiB)
        kt.run(["sfdisk", "-q", disk], input="label: gpt\nstart=2048, size=40M, type=U\n")
        esp = kt.make_fat(self.path("esp.img"), 40 * MiB, 32, ["-n", "ESP"])
        kt.fat_copy_in(esp, [os.path.join(esp_tree, "EFI")])
        di.copy_into(disk, 2048, esp)
        g = self.guest(firmware="uefi", entry="disk", drives=["file=%s,if=virtio,format=raw" % disk])
        g.wait_serial(r"KURA-LOCALBOOT-UEFI-OK", timeout=180)
        self.assertNotIn("kura live system starting", g.serial_text())


if __name__ == "__main__":
    kt.main()
