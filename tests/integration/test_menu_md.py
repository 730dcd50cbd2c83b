# SPDX-License-Identifier: GPL-3.0-or-later
"""md RAID arrays under their disks, on members real mdadm made in a QEMU guest
(tests/fixtures/md; this host's kernel has no md driver, so nothing is assembled):

- `kura list-disks` shows each array once, under the row of its first member: a RAID1 with
  its ext4 and the used bytes dumpe2fs counts in the member's data window, a RAID5 whose
  members are copied whole; --json gives level, metadata, members with slot and state.
- a member with a damaged superblock: list-disks lists the disks, then exits 5 naming it;
  one member of a pair: the array is listed with its missing slot.
- the real kura-menu (tmux, 80x25) shows the same lines on the save lists: under the disk in
  English (savedisk), under the member partition in Japanese (saveparts); the other
  members point to where the array is listed.
Every member image is byte-identical afterwards: listing reads, never assembles.
"""

import contextlib
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
from menu_terminal import MenuTerminal  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "md")
MiB = kt.MiB


def human(n):
    """kura's format_bytes (core/units.cpp): decimal units, one decimal."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return "%d B" % n if unit == "B" else "%.1f %s" % (n, unit)
        n /= 1000.0


class MenuMd(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("zstd", "mdadm", "dumpe2fs", "tmux", "partx")

    FIXTURE_NAMES = ("r1-12-a", "r1-12-b", "r5-12-a", "r5-12-b", "r5-12-c")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.images = {}
        for name in cls.FIXTURE_NAMES:
            path = os.path.join(cls.ws, name + ".img")
            kt.run(["zstd", "-q", "-d", "-f", os.path.join(FIXTURES, name + ".img.zst"), "-o", path])
            cls.images[name] = path
        cls.shas = {name: kt.sha256_file(path) for name, path in cls.images.items()}
        cls.raid1_used = cls.ext4_used_in_data_window(cls.images["r1-12-a"])

    @classmethod
    def ext4_used_in_data_window(cls, disk):
        """The used bytes of the RAID1's ext4, counted by dumpe2fs in member a's data window,
        cut out by the numbers mdadm --examine prints (partition 1 starts at 1 MiB)."""
        member = disk + ".p1"
        kt.run(["dd", "if=" + disk, "of=" + member, "bs=1M", "skip=1", "status=none"])
        fields = {}
        for line in kt.run(["mdadm", "--examine", member]).stdout.splitlines():
            if " : " in line:
                key, value = line.split(" : ", 1)
                fields[key.strip()] = value.strip()
        offset = int(fields["Data Offset"].split()[0]) * 512
        size = int(fields["Array Size"].split()[0]) * 1024
        window = disk + ".array"
        with open(member, "rb") as src, open(window, "wb") as dst:
            src.seek(offset)
            dst.write(src.read(size))
        dump = {l.split(":")[0]: l.split(":", 1)[1].strip()
                for l in kt.run(["dumpe2fs", "-h", window]).stdout.splitlines() if ":" in l}
        return (int(dump["Block count"]) - int(dump["Free blocks"])) * int(dump["Block size"])

    def setUp(self):
        super().setUp()
        stack = contextlib.ExitStack()
        self.addCleanup(stack.close)
        self.loops = {name: stack.enter_context(kt.partitioned_loop(path)) for name, path in self.images.items()}
        self.member = {name: os.path.basename(dev) + "p1" for name, dev in self.loops.items()}
        self.addCleanup(self.assert_members_unchanged)
        self.repo = self.new_repo("images")

    def assert_members_unchanged(self):
        self.assertEqual({name: kt.sha256_file(path) for name, path in self.images.items()}, self.shas)

    def devices(self):
        return ",".join(self.loops[name] for name in self.FIXTURE_NAMES)

    def first_in_table(self, text, members):
        """Of `members`, the one whose partition row comes first in list-disks' table."""
        rows = [line.split()[0][2:] for line in text.splitlines() if line.startswith(("`-", "|-"))]
        return min(members, key=rows.index)

    def list_disks(self):
        rc, out, err = kt.run_kura("list-disks", "--devices", self.devices())
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        rc, js, err = kt.run_kura("list-disks", "--json", "--devices", self.devices())
        self.assertEqual(rc, 0, kt.describe(rc, js, err))
        return out, json.loads(js)

    def test_list_disks_shows_each_array_under_its_first_member(self):
        text, doc = self.list_disks()
        arrays = {a["level"]: a for a in doc["md_arrays"]}
        self.assertEqual(sorted(arrays), ["raid1", "raid5"], doc["md_arrays"])
        mirror, parity = arrays["raid1"], arrays["raid5"]
        pair = [self.member["r1-12-a"], self.member["r1-12-b"]]
        trio = [self.member["r5-12-" + s] for s in "abc"]

        # JSON: as the superblocks say, without assembling.
        self.assertRegex(mirror["device"], r"^md\d+$")
        self.assertEqual(mirror["metadata"], "1.2")
        self.assertEqual(mirror["name"], "kurafix:root")
        self.assertEqual(mirror["raid_disks"], 2)
        self.assertEqual(mirror["size"], 14680064)
        self.assertEqual(mirror["fs_type"], "ext4")
        self.assertEqual(mirror["used_bytes"], self.raid1_used)
        self.assertFalse(mirror["copied_whole"])
        self.assertEqual(mirror["note"], "")
        self.assertEqual(mirror["members"], [{"name": pair[0], "state": "in sync", "slot": 0},
                                             {"name": pair[1], "state": "in sync", "slot": 1}])
        self.assertRegex(parity["device"], r"^md\d+$")
        self.assertNotEqual(parity["device"], mirror["device"])
        self.assertTrue(parity["copied_whole"])
        self.assertEqual(parity["fs_type"], "")
        self.assertIsNone(parity["used_bytes"])
        self.assertEqual([(m["name"], m["state"], m["slot"]) for m in parity["members"]],
                         [(trio[0], "in sync", 0), (trio[1], "in sync", 1), (trio[2], "in sync", 2)])

        # Text: one line per array, right under its first member's partition row.
        lines = text.splitlines()
        mirror_line = "    %s  raid1 1.2  ext4  %s used of 14.7 MB  (members %s %s)" % (
            mirror["device"], human(self.raid1_used), pair[0], pair[1])
        parity_line = "    %s  raid5 1.2  members copied whole  (members %s)" % (parity["device"], " ".join(trio))
        for line, members in ((mirror_line, pair), (parity_line, trio)):
            self.assertEqual(lines.count(line), 1, text)
            at = lines.index(line)
            self.assertRegex(lines[at - 1], r"^[`|]-%s " % re.escape(self.first_in_table(text, members)), text)

    def test_a_damaged_superblock_is_named_after_the_disks_are_listed(self):
        damaged = self.path("damaged-a.img")
        kt.run(["cp", self.images["r1-12-a"], damaged])
        kt.flip_byte(damaged, MiB + 4096 + 100)  # inside member a1's 1.2 superblock
        before = kt.sha256_file(damaged)
        with kt.partitioned_loop(damaged) as dev:
            rc, out, err = kt.run_kura("list-disks", "--devices", dev + "," + self.loops["r1-12-b"])
        self.assertEqual(rc, 5, kt.describe(rc, out, err))
        member = os.path.basename(dev) + "p1"
        self.assertRegex(err, r"(^|\s)%s: md superblock checksum [0-9a-f]{8} does not match its contents" % member)
        self.assertIn("`-%s " % member, out)  # the disks are still listed
        self.assertNotIn("raid1", out)
        self.assertEqual(kt.sha256_file(damaged), before)

    def test_one_member_of_a_pair_lists_the_missing_slot(self):
        lone = self.path("r1-10-a.img")
        kt.run(["zstd", "-q", "-d", "-f", os.path.join(FIXTURES, "r1-10-a.img.zst"), "-o", lone])
        before = kt.sha256_file(lone)
        with kt.partitioned_loop(lone) as dev:
            member = os.path.basename(dev) + "p1"
            rc, out, err = kt.run_kura("list-disks", "--devices", dev)
            self.assertEqual(rc, 0, kt.describe(rc, out, err))
            rc, js, err = kt.run_kura("list-disks", "--json", "--devices", dev)
            self.assertEqual(rc, 0, kt.describe(rc, js, err))
        lines = out.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("`-" + member + " "))
        self.assertEqual(lines[at + 1], "    md0  raid1 1.0  15.7 MB  (members %s)  (slot 1 missing: a save needs the "
                                        "disks of all its members)" % member, out)
        (array,) = json.loads(js)["md_arrays"]
        self.assertEqual(array["note"], "slot 1 missing: a save needs the disks of all its members")
        self.assertEqual(array["fs_type"], "")
        self.assertEqual(array["members"], [{"name": member, "state": "in sync", "slot": 0}])
        self.assertEqual(kt.sha256_file(lone), before)

    def menu(self, language, env=None):
        m = MenuTerminal(["--devices", self.devices(), "--log", self.path("menu.log"), "--lang", language,
                          "--keymap", "us", "--repo", self.repo], env=env, screens_prefix=language)
        self.addCleanup(m.close)
        return m

    def notes_after(self, shown, row):
        """The note lines right after `row`'s line (indented, no tick box), up to the next row."""
        lines = [line.strip("│ ").rstrip() for line in shown.splitlines()]
        at = next(i for i, line in enumerate(lines) if re.match(r"\[[ x]\] " + re.escape(row) + r"\b", line))
        notes = []
        for line in lines[at + 1:]:
            if not line or line.startswith("["):
                break
            notes.append(line)
        return notes

    def expected_lines(self, words_used, members_word):
        text, doc = self.list_disks()
        arrays = {a["level"]: a for a in doc["md_arrays"]}
        pair = [self.member["r1-12-a"], self.member["r1-12-b"]]
        trio = [self.member["r5-12-" + s] for s in "abc"]
        used = words_used(human(self.raid1_used), "14.7 MB")
        mirror = ["%s  raid1 1.2  ext4  %s" % (arrays["raid1"]["device"], used),
                  "(%s %s)" % (members_word, " ".join(pair))]
        return text, arrays, pair, trio, mirror

    def test_savedisk_in_english_lists_the_arrays_under_their_disks(self):
        text, arrays, pair, trio, mirror = self.expected_lines(lambda u, s: "%s used of %s" % (u, s), "members")
        m = self.menu("en")
        m.wait_for("Image repository")
        m.keys("Enter")
        m.wait_for("Mode", "savedisk")
        m.select("savedisk")
        m.keys("Enter")
        m.wait_for("Image name")
        m.keys("C-u")
        m.type("md-menu-img")
        m.keys("Enter")
        shown = m.wait_for("Disks to save", arrays["raid1"]["device"] + "  raid1")
        m.snap("save-disks-md")
        first = self.first_in_table(text, pair)
        other = [p for p in pair if p != first][0]
        self.assertEqual(self.notes_after(shown, first[:-2]), mirror, shown)
        self.assertEqual(self.notes_after(shown, other[:-2]),
                         ["a member of %s, which is listed under %s" % (arrays["raid1"]["device"], first)], shown)
        first5 = self.first_in_table(text, trio)
        self.assertEqual(self.notes_after(shown, first5[:-2]),
                         ["%s  raid5 1.2  members copied whole" % arrays["raid5"]["device"],
                          "(members %s)" % " ".join(trio)], shown)
        # Drawn indented, not as items: no tick box of their own.
        self.assertRegex(shown, r"│ {6,}%s  raid1" % arrays["raid1"]["device"])
        m.close()
        self.assertEqual(os.listdir(self.repo), [])

    def test_saveparts_in_japanese_lists_the_array_under_the_member_partition(self):
        text, arrays, pair, trio, mirror = self.expected_lines(lambda u, s: "%s 中 %s 使用" % (s, u), "メンバー")
        m = self.menu("ja", env={"NO_COLOR": "1"})
        m.wait_for("空き容量")
        m.keys("Enter")
        m.wait_for("モード", "saveparts")
        m.select("saveparts")
        m.keys("Enter")
        m.wait_for("イメージ名")
        m.keys("C-u")
        m.type("md-menu-ja")
        m.keys("Enter")
        shown = m.wait_for("保存するパーティション", arrays["raid1"]["device"] + "  raid1")
        m.snap("save-parts-md")
        first = self.first_in_table(text, pair)
        other = [p for p in pair if p != first][0]
        self.assertEqual(self.notes_after(shown, first), mirror, shown)
        self.assertEqual(self.notes_after(shown, other),
                         ["%s のメンバー (%s の下に表示)" % (arrays["raid1"]["device"], first)], shown)
        m.close()
        self.assertEqual(os.listdir(self.repo), [])


if __name__ == "__main__":
    kt.main()
