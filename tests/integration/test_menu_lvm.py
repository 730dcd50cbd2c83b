# SPDX-License-Identifier: GPL-3.0-or-later
"""A server disk with LVM2 in the real kura-menu (tmux, 80x25, confined to this test's loop
device): the save lists show the volume group's LVs under the disk (savedisk) and under the
PV partition (saveparts), with the filesystem and the used bytes `kura list-disks` reads
(one reading for both fronts, ops/volume_listing.h); the plan shows the LV rows indented
under their PV's row.

In English a savedisk is run to the end: the image holds Clonezilla's LVM files and the root
LV imaged by its filesystem. In Japanese a saveparts is planned and declined (n): no image is
written. The disk (made by tests/integration/lvm_disks.py without device-mapper) is
byte-identical after each run: listing and saving read LVs without activating anything.
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import lvm_disks  # noqa: E402
from menu_terminal import MenuTerminal  # noqa: E402

SAVE_TIMEOUT = 600


class MenuLvm(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("sfdisk", "mkswap", "lvm", "tmux", "partx")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.layout = lvm_disks.make_lvm_disk(cls.ws, os.path.join(cls.ws, "lvm-server.img"))
        cls.layout_sha = kt.sha256_file(cls.layout.path)

    def setUp(self):
        super().setUp()
        self.disk = self.enterContext(kt.partitioned_loop(self.layout.path))
        self.pv = self.disk + "p2"
        self.repo = self.new_repo("images")
        # The root LV's line as `kura list-disks` prints it: the menu must show the same numbers.
        rc, out, err = kt.run_kura("list-disks", "--devices", self.disk)
        self.assertEqual(rc, 0, err)
        found = re.search(r"VolGroup00/LogVol00  ext4  (\S+ \S+) used of (\S+ \S+)", out)
        self.assertIsNotNone(found, out)
        self.root_used, self.root_size = found.groups()
        found = re.search(r"VolGroup00/LogVol01  swap  (\S+ \S+)", out)
        self.assertIsNotNone(found, out)
        self.swap_size = found.group(1)

    def menu(self, language, prefix, env=None):
        m = MenuTerminal(["--devices", self.disk, "--log", self.path("menu.log"), "--lang", language,
                          "--keymap", "us", "--repo", self.repo], env=env, screens_prefix=prefix)
        self.addCleanup(m.close)
        return m

    def choose(self, m, text):
        m.select(text)
        m.keys("Enter")

    def assert_lv_under(self, shown, row, used_words):
        """The LV lines come right after `row`'s line, indented past its tick box."""
        lines = [line.strip("│ ").rstrip() for line in shown.splitlines()]
        at = next(i for i, line in enumerate(lines) if re.match(r"\[[ x]\] " + re.escape(row) + r"\b", line))
        self.assertEqual(lines[at + 1], "VolGroup00/LogVol00  ext4  " + used_words, shown)
        self.assertEqual(lines[at + 2], "VolGroup00/LogVol01  swap  " + self.swap_size, shown)
        # Drawn indented, not as items: no tick box of their own.
        self.assertRegex(shown, r"│ {6,}VolGroup00/LogVol00  ext4")

    def assert_plan_indents_lvs(self, shown, pv):
        """The LV rows right under the PV's row, indented, their filesystem and sizes in the
        columns of the rows above."""
        lines = shown.splitlines()
        at = next(i for i, line in enumerate(lines)
                  if re.search(r"│ %s +<- %s +LVM2_member " % (re.escape(os.path.basename(pv)), re.escape(pv)), line))
        root, swap = lines[at + 1], lines[at + 2]
        self.assertRegex(root, r"│   VolGroup00/LogVol00 +ext4 +%s +\S+ \S+ +│" % re.escape(self.root_size))
        self.assertRegex(swap, r"│   VolGroup00/LogVol01 +swap +%s +0 B +│" % re.escape(self.swap_size))
        self.assertEqual(root.index("ext4"), lines[at].index("LVM2_member"))
        self.assertEqual(swap.index("swap"), lines[at].index("LVM2_member"))

    def test_savedisk_in_english_lists_the_lvs_under_the_disk_and_saves_them(self):
        m = self.menu("en", "en")
        m.wait_for("Image repository")
        m.keys("Enter")
        m.wait_for("Mode", "savedisk")
        self.choose(m, "savedisk")
        m.wait_for("Image name")
        m.keys("C-u")
        m.type("lvm-menu-img")
        m.keys("Enter")
        shown = m.wait_for("Disks to save", "VolGroup00/LogVol00")
        m.snap("save-disks-lvm")
        self.assert_lv_under(shown, os.path.basename(self.disk),
                             "%s used of %s" % (self.root_used, self.root_size))
        # The cursor is on the disk and Down goes nowhere: the LV lines cannot be chosen.
        lines, cursor = m.lines_and_cursor()
        self.assertIn(os.path.basename(self.disk), lines[cursor])
        m.keys("Down")
        lines, cursor = m.lines_and_cursor()
        self.assertIn(os.path.basename(self.disk), lines[cursor])
        m.keys("Space", "Enter")
        m.wait_for("Options", "zstd")
        self.choose(m, "Continue")
        shown = m.wait_for("The plan", "Data to copy", "VolGroup00/LogVol00")
        m.snap("save-plan-lvm")
        self.assert_plan_indents_lvs(shown, self.pv)
        m.keys("Enter")
        m.wait_for("(y/n)", "lvm-menu-img")
        m.keys("y")
        shown = m.wait_for("Image lvm-menu-img is saved.", timeout=SAVE_TIMEOUT)
        m.close()

        image = os.path.join(self.repo, "lvm-menu-img")
        files = os.listdir(image)
        for name in ("lvm_vg_dev.list", "lvm_logv.list", "lvm_VolGroup00.conf"):
            self.assertIn(name, files)
        self.assertTrue(any(f.startswith("VolGroup00-LogVol00.ext4-ptcl-img.") for f in files), files)
        with open(os.path.join(image, "lvm_logv.list")) as f:
            self.assertRegex(f.read(), r"(?m)^/dev/VolGroup00/LogVol00  .*ext4")
        self.assertEqual(kt.sha256_file(self.layout.path), self.layout_sha)

    def test_saveparts_in_japanese_lists_the_lvs_under_the_pv_and_plans_them(self):
        m = self.menu("ja", "ja", env={"NO_COLOR": "1"})
        m.wait_for("空き容量")
        m.keys("Enter")
        m.wait_for("モード", "saveparts")
        self.choose(m, "saveparts")
        m.wait_for("イメージ名")
        m.keys("C-u")
        m.type("lvm-menu-ja")
        m.keys("Enter")
        shown = m.wait_for("保存するパーティション", "VolGroup00/LogVol00")
        m.snap("save-parts-lvm")
        self.assert_lv_under(shown, os.path.basename(self.pv), "%s 中 %s 使用" % (self.root_size, self.root_used))
        m.select(os.path.basename(self.pv))
        m.keys("Space", "Enter")
        m.wait_for("オプション")
        self.choose(m, "続ける")
        shown = m.wait_for("実行計画", "コピーするデータ", "VolGroup00/LogVol00")
        m.snap("save-plan-lvm")
        self.assert_plan_indents_lvs(shown, self.pv)
        m.keys("Enter")
        m.wait_for("(y/n)", "lvm-menu-ja")
        m.keys("n")
        m.wait_for("実行計画")
        m.close()

        self.assertEqual(os.listdir(self.repo), [])
        self.assertEqual(kt.sha256_file(self.layout.path), self.layout_sha)

    def test_an_lv_kura_cannot_read_is_marked_as_going_whole_with_its_pvs(self):
        """A root LV grown with lvextend (two segments) cannot be read without device-mapper:
        the list says its PV goes whole and why, the plan shows the PV as dd with the reason."""
        if os.path.exists("/sys/module/dm_mod"):
            self.skipTest("this kernel has device-mapper: a two-segment LV is readable here")
        layout = lvm_disks.make_lvm_disk(self.tmp, self.path("grown.img"), two_segments=True)
        sha = kt.sha256_file(layout.path)
        disk = self.enterContext(kt.partitioned_loop(layout.path))
        pv = os.path.basename(disk) + "p2"
        m = MenuTerminal(["--devices", disk, "--log", self.path("menu.log"), "--lang", "en", "--keymap", "us",
                          "--repo", self.repo], screens_prefix="en")
        self.addCleanup(m.close)
        m.wait_for("Image repository")
        m.keys("Enter")
        self.choose(m, "saveparts")
        m.wait_for("Image name")
        m.keys("C-u")
        m.type("grown-img")
        m.keys("Enter")
        shown = m.wait_for("Partitions to save", "VolGroup00/LogVol00")
        lines = [line.strip("│ ").rstrip() for line in shown.splitlines()]
        at = next(i for i, line in enumerate(lines) if line.startswith("[ ] " + pv))
        self.assertRegex(lines[at + 1], r"^VolGroup00/LogVol00  \S+ \S+  copied whole with its PVs$")
        self.assertEqual(lines[at + 2], "(it has 2 segments and this kernel has no device-mapper)")
        self.assertEqual(lines[at + 3], "VolGroup00/LogVol01  swap  " + self.swap_size)
        self.assertNotIn("unformatted", lines[at + 1])
        m.select(pv)
        m.keys("Space", "Enter")
        m.wait_for("Options")
        self.choose(m, "Continue")
        shown = m.wait_for("The plan", "Data to copy")
        self.assertRegex(shown, r"│ %s +<- /dev/%s +LVM2_member \(dd\)" % (pv, pv))
        # The warning wraps in the box: its words, read across the lines.
        words = " ".join(shown.replace("│", " ").split())
        self.assertIn("Warning: %s: LVM physical volume of VolGroup00: copied whole (dd) because LV LogVol00: it has 2 "
                      "segments and this kernel has no device-mapper" % pv, words)
        self.assertNotIn("  VolGroup00/LogVol00", shown)
        m.keys("Enter")
        m.wait_for("(y/n)", "grown-img")
        m.keys("n")
        m.wait_for("The plan")
        m.close()
        self.assertEqual(os.listdir(self.repo), [])
        self.assertEqual(kt.sha256_file(layout.path), sha)

    def test_damaged_lvm_metadata_is_named_and_nothing_is_written(self):
        """A PV whose metadata area header fails its CRC: the save list says so (the
        partitions still listed), and the plan of a save of it is refused with the same words,
        as `kura saveparts` refuses it (exit 5)."""
        damaged = self.path("damaged.img")
        kt.run(["cp", "--sparse=always", self.layout.path, damaged])
        with open(damaged, "r+b") as f:
            f.seek(self.layout.pv_offset + 4096 + 100)  # inside the header its CRC covers
            f.write(b"\xff\xfe")
        sha = kt.sha256_file(damaged)
        disk = self.enterContext(kt.partitioned_loop(damaged))
        pv = os.path.basename(disk) + "p2"
        problem = "the LVM metadata of %s is damaged: the metadata area at byte 4096 has a bad header CRC" % pv
        rc, out, err = kt.run_kura("saveparts", "--repo", self.repo, "--dry-run", "--progress=none", "x", disk + "p2")
        self.assertEqual(rc, 5, kt.describe(rc, out, err))
        self.assertIn(problem, err)

        m = MenuTerminal(["--devices", disk, "--log", self.path("menu.log"), "--lang", "en", "--keymap", "us",
                          "--repo", self.repo])
        self.addCleanup(m.close)
        m.wait_for("Image repository")
        m.keys("Enter")
        self.choose(m, "saveparts")
        m.wait_for("Image name")
        m.keys("C-u")
        m.type("damaged-img")
        m.keys("Enter")
        shown = m.wait_for("Partitions to save", pv, os.path.basename(disk) + "p1")
        self.assertIn(problem, " ".join(shown.replace("│", " ").split()))
        self.assertNotIn("VolGroup00/", shown)
        m.select(pv)
        m.keys("Space", "Enter")
        m.wait_for("Options")
        self.choose(m, "Continue")
        shown = m.wait_for("This cannot be done:")
        self.assertIn("This cannot be done: " + problem, " ".join(shown.replace("│", " ").split()))
        self.assertNotIn("The plan", shown)
        m.close()
        self.assertEqual(os.listdir(self.repo), [])
        self.assertEqual(kt.sha256_file(damaged), sha)


if __name__ == "__main__":
    kt.main()
