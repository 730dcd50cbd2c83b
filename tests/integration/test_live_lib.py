#!/usr/bin/python3
"""The live system's shell functions (live-iso/files/lib/live-lib.sh) under busybox sh, the
shell they run in on the ISO: kernel parameters with quotes, flags, consoles, the
repository and the plan of an unattended kura.run, and the inittab they lead to."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(os.path.dirname(os.path.dirname(HERE)), "live-iso", "files", "lib", "live-lib.sh")
BUSYBOX = shutil.which("busybox") or "/bin/busybox"


class LiveLib(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kura-live-lib-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def sh(self, cmdline, script):
        path = os.path.join(self.tmp, "cmdline")
        with open(path, "w") as f:
            f.write(cmdline + "\n")
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "KURA_CMDLINE_FILE": path,
               "KURA_INITTAB": os.path.join(self.tmp, "inittab")}
        r = subprocess.run([BUSYBOX, "sh", "-c", ". %s; %s" % (LIB, script)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_kernel_parameters_with_quotes_and_the_last_one_winning(self):
        line = ('BOOT_IMAGE=/live/vmlinuz quiet kura.lang=en kura.run="savedisk -p reboot web-img sda" '
                'kura.lang=ja kura.repo=nfs://10.0.0.5/images')
        self.assertEqual(self.sh(line, "kernel_param kura.lang"), "ja\n")
        self.assertEqual(self.sh(line, "kernel_param kura.run"), "savedisk -p reboot web-img sda\n")
        self.assertEqual(self.sh(line, "kernel_param kura.repo"), "nfs://10.0.0.5/images\n")
        self.assertEqual(self.sh(line, "kernel_param kura.keymap"), "")
        # A name that only starts like another one is not it.
        self.assertEqual(self.sh("kura.language=ja", "kernel_param kura.lang"), "")

    def test_flags(self):
        self.assertEqual(self.sh("quiet kura.dd kura.toram=1", "has_flag kura.dd && echo dd; "
                                 "has_flag kura.toram && echo toram; has_flag kura.debug || echo no-debug"),
                         "dd\ntoram\nno-debug\n")
        self.assertEqual(self.sh("kura.ddx", "has_flag kura.dd || echo none"), "none\n")

    def test_consoles(self):
        serial = "console=tty0 console=ttyS1,115200n8"
        self.assertEqual(self.sh(serial, "primary_console; serial_consoles"), "ttyS1\nttyS1\n")
        self.assertEqual(self.sh("console=ttyS0,115200n8 console=tty0", "primary_console; serial_consoles"),
                         "tty1\nttyS0\n")
        self.assertEqual(self.sh("quiet", "primary_console; serial_consoles"), "tty1\n")

    def test_network_locations(self):
        out = self.sh("", "for l in nfs://a/b nfs4://a/b smb://u@a/s dev:sdb1 /home/partimag ''; do "
                          "is_network_location \"$l\" && echo \"$l net\" || echo \"$l local\"; done")
        self.assertEqual(out.split("\n")[:6], ["nfs://a/b net", "nfs4://a/b net", "smb://u@a/s net",
                                               "dev:sdb1 local", "/home/partimag local", " local"])

    def test_the_repository_of_a_run(self):
        line = "kura.repo=dev:sdb1"
        self.assertEqual(self.sh(line, "run_repo_of 'savedisk --repo nfs://s/e img sda'"), "nfs://s/e\n")
        self.assertEqual(self.sh(line, "run_repo_of 'savedisk --repo=smb://u@s/x img sda'"), "smb://u@s/x\n")
        self.assertEqual(self.sh(line, "run_repo_of 'savedisk img sda'"), "dev:sdb1\n")

    def test_the_plan_of_an_unattended_run(self):
        plan = lambda command, repo="": self.sh("", "unattended_plan '%s' '%s'" % (command, repo)).split("\n")[:2]
        self.assertEqual(plan("savedisk img sda"), ["poweroff", "savedisk img sda"])
        self.assertEqual(plan("savedisk -p reboot -z gzip img sda", "dev:sdb1"),
                         ["reboot", "savedisk --repo dev:sdb1 -z gzip img sda"])
        self.assertEqual(plan("restoredisk --repo nfs://s/e img sda -p shell", "dev:sdb1"),
                         ["shell", "restoredisk --yes --repo nfs://s/e img sda"])
        self.assertEqual(plan("restoreparts --yes img sda1", "dev:sdc1"),
                         ["poweroff", "restoreparts --repo dev:sdc1 --yes img sda1"])
        # -p without a word: an empty action, which kura-run refuses (the machine stays on).
        self.assertEqual(plan("savedisk img sda -p"), ["", "savedisk img sda"])
        # No globbing of the command's words.
        self.assertEqual(plan("savedisk img *"), ["poweroff", "savedisk img *"])

    def test_inittab_for_the_menu_and_for_an_unattended_run(self):
        self.sh("console=tty0 console=ttyS0,115200n8 console=ttyS1,115200n8", "write_inittab ''")
        with open(os.path.join(self.tmp, "inittab")) as f:
            tab = f.read()
        for line in ("tty1::respawn:/bin/kura-console tty1", "ttyS0::respawn:/bin/kura-console ttyS0",
                     "ttyS1::respawn:/bin/kura-console ttyS1", "tty2::askfirst:-/bin/sh",
                     "::shutdown:/bin/kura-shutdown"):
            self.assertIn(line, tab)
        self.assertNotIn("kura-run", tab)
        self.sh("console=tty0 console=ttyS0,115200n8", "write_inittab 'savedisk img sda'")
        with open(os.path.join(self.tmp, "inittab")) as f:
            tab = f.read()
        self.assertIn("ttyS0::once:/bin/kura-run ttyS0", tab)
        self.assertNotIn("kura-console", tab)
        self.assertIn("tty2::askfirst:-/bin/sh", tab)


if __name__ == "__main__":
    if not os.path.exists(BUSYBOX):
        sys.exit("busybox is missing (busybox-static)")
    unittest.main(verbosity=2)
