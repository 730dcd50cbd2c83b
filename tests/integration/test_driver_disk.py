# SPDX-License-Identifier: GPL-3.0-or-later
"""Driver disks: drivers/mkdriverdisk makes them, live-iso/files/kura-driver-disk loads them.

The modules are real ones from Debian 12's kernel package (sym53c8xx, the driver of
QEMU's lsi53c895a, and scsi_transport_spi, which it needs; the ISO carries neither). The
package is downloaded once into /var/tmp/kura-kernel-cache (kernel_package.py).

mkdriverdisk's FAT, ext4 and ISO 9660 volumes are read back with the tools of each format
(mtools, debugfs, osirrox), bad inputs are refused without leaving a file behind, and the
loader runs under busybox sh with a PATH of busybox applets only, against the ext4 disk on
a loop device (this host's kernel mounts ext4 but has no vfat or iso9660), with
KURA_DD_ROOT pointing at a scratch root that holds the modules the ISO would have.
"""

import os
import shutil
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
from kernel_package import scsi_modules  # noqa: E402

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MKDD = os.path.join(SRC, "drivers", "mkdriverdisk")
LOADER = os.path.join(SRC, "live-iso", "files", "kura-driver-disk")
OTHER_RELEASE = "6.1.0-0-other-amd64"

# Files taken from the kernel package: the driver disk's two modules, and what the ISO
# itself would hold for them (scsi_mod and scsi_common come with sd_mod).
DISK_MODULES = ("sym53c8xx_2/sym53c8xx.ko", "scsi_transport_spi.ko")
ISO_MODULES = ("scsi_mod.ko", "scsi_common.ko")


def vermagic_release(ko):
    return kt.run(["modinfo", "-F", "vermagic", ko]).stdout.split()[0]


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


class DriverDisk(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        missing = [t for t in ("busybox", "modinfo", "mkfs.vfat", "mcopy", "mtype", "mdir",
                               "mke2fs", "debugfs", "xorriso", "osirrox", "losetup", "blkid")
                   if not kt.have_tool(t)]
        if missing:
            raise AssertionError("tools missing: %s (see .ci/install-deps)" % " ".join(missing))
        scsi = scsi_modules()
        cls.release = scsi.split(os.sep)[-4]
        cls.ws = kt.make_workspace("kura-dd-")
        cls.addClassCleanup(shutil.rmtree, cls.ws, True)
        # Inputs are copied so that the tests own every file they hand to the tools.
        cls.mods = {}
        for rel in DISK_MODULES + ISO_MODULES:
            dst = os.path.join(cls.ws, os.path.basename(rel))
            shutil.copyfile(os.path.join(scsi, rel), dst)
            cls.mods[os.path.basename(rel)] = dst
        cls.sym = cls.mods["sym53c8xx.ko"]
        cls.spi = cls.mods["scsi_transport_spi.ko"]
        # A PATH holding busybox applets only: the loader must not need anything else.
        cls.bbbin = os.path.join(cls.ws, "bb-bin")
        os.mkdir(cls.bbbin)
        busybox = shutil.which("busybox")
        for applet in kt.run([busybox, "--list"]).stdout.split():
            os.symlink(busybox, os.path.join(cls.bbbin, applet))
        # Firmware tree for the disks: a nested file, as /lib/firmware has.
        cls.fw = os.path.join(cls.ws, "fw")
        os.makedirs(os.path.join(cls.fw, "kura-test"))
        with open(os.path.join(cls.fw, "kura-test", "blob.bin"), "wb") as f:
            f.write(bytes(range(256)) * 8)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix=self._testMethodName[:40] + "-", dir=self.ws)
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def path(self, *names):
        return os.path.join(self.tmp, *names)

    # ---------------------------------------------------------------- helpers

    def mkdd(self, *args, check=True, env=None):
        proc = kt.run([MKDD, *args], check=False, env=env)
        if check:
            self.assertEqual(proc.returncode, 0, "mkdriverdisk failed:\n" + proc.stderr)
        return proc

    def make_disk(self, fmt, name="dd.img", extra=()):
        out = self.path(name)
        self.mkdd("--format", fmt, "--label", "KURATST", "--name", "LSI 53C895A test",
                  "--firmware", self.fw, *extra, out, self.sym, self.spi)
        return out

    def expected_manifest(self):
        return "format=1\nname=LSI 53C895A test\nkernel=%s\n" % self.release

    def assertLabel(self, img, label):
        got = kt.run(["blkid", "-p", "-o", "value", "-s", "LABEL", img]).stdout.strip()
        self.assertEqual(got, label)

    def assertTree(self, root):
        """root (a disk's contents, extracted) holds exactly the manifest, modules and firmware."""
        files = sorted(os.path.relpath(os.path.join(d, f), root)
                       for d, _, fs in os.walk(root) for f in fs)
        self.assertEqual(files, sorted([
            "kura-driver-disk",
            "kura-drivers/%s/sym53c8xx.ko" % self.release,
            "kura-drivers/%s/scsi_transport_spi.ko" % self.release,
            "kura-drivers/firmware/kura-test/blob.bin"]))
        self.assertEqual(read(os.path.join(root, "kura-driver-disk"), "r"), self.expected_manifest())
        for ko in (self.sym, self.spi):
            self.assertEqual(read(os.path.join(root, "kura-drivers", self.release,
                                               os.path.basename(ko))), read(ko))
        self.assertEqual(read(os.path.join(root, "kura-drivers/firmware/kura-test/blob.bin")),
                         read(os.path.join(self.fw, "kura-test", "blob.bin")))

    def loader(self, *args, root, release=None, input=None, extra_env=None):
        env = {"PATH": self.bbbin, "KURA_DD_ROOT": root,
               "KURA_DD_RELEASE": release or self.release}
        env.update(extra_env or {})
        return kt.run(["busybox", "sh", LOADER, *args], check=False, env=env,
                      input=input, timeout=120)

    def fake_root(self, name="root"):
        """A root as the ISO has it: the SCSI core in kernel/, indexed by depmod."""
        root = self.path(name)
        kdir = os.path.join(root, "lib", "modules", self.release, "kernel", "drivers", "scsi")
        os.makedirs(kdir)
        for name in ISO_MODULES:
            shutil.copyfile(self.mods[name], os.path.join(kdir, name))
        kt.run(["busybox", "depmod", "-b", root, self.release])
        return root

    def modules_dep(self, root):
        return read(os.path.join(root, "lib", "modules", self.release, "modules.dep"), "r")

    # ---------------------------------------------------------------- mkdriverdisk

    def test_fat_disk_contents(self):
        img = self.make_disk("fat")
        self.assertLabel(img, "KURATST")
        self.assertEqual(kt.run(["mtype", "-i", img, "::/kura-driver-disk"]).stdout,
                         self.expected_manifest())
        listing = kt.run(["mdir", "-i", img, "-b", "-/", "::/"]).stdout.split()
        self.assertIn("::/kura-drivers/%s/sym53c8xx.ko" % self.release, listing)
        out = self.path("out")
        os.makedirs(out)
        kt.run(["mcopy", "-i", img, "-s", "-n", "::/kura-driver-disk", "::/kura-drivers", out + "/"])
        self.assertTree(out)
        kt.run(["fsck.vfat", "-n", img])

    def test_ext4_disk_contents(self):
        img = self.make_disk("ext4")
        self.assertLabel(img, "KURATST")
        self.assertEqual(kt.run(["debugfs", "-R", "cat /kura-driver-disk", img]).stdout,
                         self.expected_manifest())
        out = self.path("out")
        os.makedirs(out)
        kt.run(["debugfs", "-R", "rdump / %s" % out, img])
        shutil.rmtree(os.path.join(out, "lost+found"))
        self.assertTree(out)
        kt.run(["e2fsck", "-fn", img])

    def test_iso_disk_contents(self):
        img = self.make_disk("iso")
        self.assertLabel(img, "KURATST")
        found = kt.run(["xorriso", "-indev", img, "-find", "/", "-type", "f"]).stdout
        self.assertIn("'/kura-drivers/%s/sym53c8xx.ko'" % self.release, found)
        out = self.path("out")
        kt.run(["osirrox", "-indev", img, "-extract", "/", out])
        self.assertTree(out)

    def test_same_inputs_give_same_bytes(self):
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
        for fmt in ("fat", "ext4", "iso"):
            a, b = self.path("a." + fmt), self.path("b." + fmt)
            for out in (a, b):
                self.mkdd("--format", fmt, out, self.sym, self.spi, env=env)
            self.assertEqual(read(a), read(b), "%s images differ" % fmt)

    def test_release_from_first_module_and_size(self):
        img = self.path("sized.img")
        self.mkdd("--format", "fat", "--size", "16", img, self.sym)
        self.assertEqual(os.path.getsize(img), 16 * kt.MiB)
        self.assertIn("kernel=%s\n" % self.release, kt.run(["mtype", "-i", img, "::/kura-driver-disk"]).stdout)
        self.assertLabel(img, "KURADD")
        self.assertEqual(vermagic_release(self.sym), self.release)

    def assertRefused(self, args, words, env=None):
        before = sorted(os.listdir(self.tmp))
        proc = self.mkdd(*args, check=False, env=env)
        self.assertNotEqual(proc.returncode, 0, "accepted: %s\n%s" % (args, proc.stdout))
        for w in words:
            self.assertIn(w, proc.stderr)
        self.assertEqual(sorted(os.listdir(self.tmp)), before, "files left behind")
        return proc

    def test_bad_inputs_are_refused_and_leave_nothing(self):
        out = self.path("dd.img")
        text = self.path("notes.txt")
        with open(text, "w") as f:
            f.write("not a module\n")
        fake = self.path("fake.ko")
        shutil.copyfile(text, fake)
        self.assertRefused([out, self.sym, text], [text, "must end in .ko"])
        self.assertRefused([out, fake], [fake, "not a kernel module"])
        self.assertRefused([out, self.path("missing.ko")], ["missing.ko", "no such file"])
        self.assertRefused(["--kernel", OTHER_RELEASE, out, self.sym],
                           [self.sym, "built for kernel %s, not %s" % (self.release, OTHER_RELEASE)])
        self.assertRefused(["--label", "lower", out, self.sym], ["--label"])
        self.assertRefused(["--format", "iso", "--size", "8", out, self.sym], ["--size"])
        self.assertRefused(["--name", "two\nlines", out, self.sym], ["single line"])
        self.assertRefused([out, self.sym, self.sym], ["given twice"])
        isolist = self.path("modules.list")
        with open(isolist, "w") as f:
            f.write("# test list\nsym53c8xx   in the ISO here\n")
        self.assertRefused([out, self.sym], ["already in the kura ISO"],
                           env=dict(os.environ, KURA_MODULES_LIST=isolist))
        # A volume too small for its content fails inside the tool: nothing is left.
        big = os.path.join(self.ws, "bigfw")
        if not os.path.isdir(big):
            os.mkdir(big)
            with open(os.path.join(big, "big.bin"), "wb") as f:
                f.write(os.urandom(3 * kt.MiB))
        for fmt in ("fat", "ext4"):
            self.assertRefused(["--format", fmt, "--size", "2", "--firmware", big, out, self.sym], [])

        # An existing output is kept unless --force; a non-file is never replaced.
        with open(out, "w") as f:
            f.write("keep me\n")
        self.assertRefused([out, self.sym], [out, "--force"])
        self.assertEqual(read(out, "r"), "keep me\n")
        self.assertRefused(["--force", self.tmp, self.sym], ["not a regular file"])
        self.mkdd("--force", out, self.sym)
        self.assertLabel(out, "KURADD")
        self.assertEqual(sorted(os.listdir(self.tmp)), ["dd.img", "fake.ko", "modules.list", "notes.txt"])

    # ---------------------------------------------------------------- the loader

    def test_loader_check_and_load_ext4_disk(self):
        img = self.make_disk("ext4")
        root = self.fake_root()
        plain = self.path("plain.img")
        kt.run(["mke2fs", "-q", "-t", "ext4", "-L", "KURATST", plain, "8M"])
        with kt.loop_device(img) as dev, kt.loop_device(plain) as plain_dev:
            proc = self.loader("check", dev, root=root)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn("name=LSI 53C895A test", proc.stdout)
            self.assertIn("label=KURATST", proc.stdout)
            self.assertIn("kernels=%s" % self.release, proc.stdout)

            proc = self.loader("check", plain_dev, root=root)
            self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
            self.assertIn("not a kura driver disk", proc.stderr)

            # A kernel the disk has nothing for: refused, the releases named, nothing copied.
            proc = self.loader("load", dev, root=root, release=OTHER_RELEASE)
            self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
            self.assertIn("no modules for this kernel %s" % OTHER_RELEASE, proc.stderr)
            self.assertIn(self.release, proc.stderr)
            self.assertFalse(os.path.exists(os.path.join(root, "lib", "modules", OTHER_RELEASE)))

            proc = self.loader("load", dev, root=root)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn("kura-driver-disk: loaded sym53c8xx.ko from %s" % dev, proc.stdout)
            self.assertIn("kura-driver-disk: loaded scsi_transport_spi.ko from %s" % dev, proc.stdout)
            # Nothing stays mounted, and the private mount points are gone.
            self.assertNotIn(root, read("/proc/mounts", "r"))
            self.assertEqual(os.listdir(os.path.join(root, "run", "kura", "dd")), [])

        upd = os.path.join(root, "lib", "modules", self.release, "updates", "kura-dd")
        self.assertEqual(sorted(os.listdir(upd)), ["scsi_transport_spi.ko", "sym53c8xx.ko"])
        self.assertEqual(read(os.path.join(upd, "sym53c8xx.ko")), read(self.sym))
        dep = self.modules_dep(root)
        self.assertIn("updates/kura-dd/sym53c8xx.ko: updates/kura-dd/scsi_transport_spi.ko "
                      "kernel/drivers/scsi/scsi_mod.ko kernel/drivers/scsi/scsi_common.ko\n", dep)
        # The PCI alias is what lets coldplug bind the controller (LSI, vendor 0x1000).
        alias = read(os.path.join(root, "lib", "modules", self.release, "modules.alias"), "r")
        self.assertRegex(alias, r"alias pci:v00001000d0000001[0-9A-F]sv\*sd\*bc\*sc\*i\* sym53c8xx\n")
        self.assertEqual(read(os.path.join(root, "lib", "firmware", "kura-test", "blob.bin")),
                         read(os.path.join(self.fw, "kura-test", "blob.bin")))

    def test_loader_usage_and_missing_device(self):
        root = self.path("root")
        os.mkdir(root)
        proc = self.loader("load", root=root)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("usage:", proc.stderr)
        proc = self.loader("check", self.path("no-such-device"), root=root)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("cannot mount", proc.stderr)

    def scan_root(self, devs, name="root"):
        """A root whose /sys/class/block and /dev show only our own loop devices."""
        root = self.fake_root(name)
        for dev in devs:
            name = os.path.basename(dev)
            sysdir = os.path.join(root, "sys", "class", "block", name)
            os.makedirs(sysdir)
            shutil.copyfile("/sys/class/block/%s/size" % name, os.path.join(sysdir, "size"))
            os.makedirs(os.path.join(root, "dev"), exist_ok=True)
            os.symlink(dev, os.path.join(root, "dev", name))
        return root

    def test_loader_ask_lists_and_loads_the_chosen_disk(self):
        img = self.make_disk("ext4")
        plain = self.path("plain.img")
        kt.run(["mke2fs", "-q", "-t", "ext4", plain, "8M"])
        with kt.loop_device(img) as dev, kt.loop_device(plain) as plain_dev:
            root = self.scan_root([dev, plain_dev])
            rdev = os.path.join(root, "dev", os.path.basename(dev))
            # 9 does not exist, x is not a choice, 1 loads, r rescans, then skip.
            proc = self.loader("ask", root=root, input="9\nx\n1\nr\ns\n")
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn("1) LSI 53C895A test  [KURATST]  %s  kernels: %s" % (rdev, self.release),
                          proc.stdout)
            self.assertNotIn(os.path.basename(plain_dev) + "  kernels", proc.stdout)
            self.assertNotIn("2)", proc.stdout)
            self.assertIn("There is no disk 9.", proc.stdout)
            self.assertIn("Please type a number, r or s.", proc.stdout)
            self.assertIn("loaded sym53c8xx.ko from %s" % rdev, proc.stdout)
            self.assertIn("1 driver disk(s) loaded", proc.stdout)
            self.assertIn("updates/kura-dd/sym53c8xx.ko:", self.modules_dep(root))

            # The live medium itself is never offered; an empty line goes on.
            root2 = self.scan_root([dev], "root2")
            proc = self.loader("ask", root=root2, input="\n",
                               extra_env={"KURA_BOOT_DEVICE": dev})
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn("No driver disk found.", proc.stdout)
            self.assertNotIn("updates/kura-dd", self.modules_dep(root2))


if __name__ == "__main__":
    unittest.main(verbosity=2)
