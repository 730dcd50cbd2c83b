# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 16's defaults and words in the real kura-menu (tmux at 100x30, confined to loop
devices this test made with --devices):

* restoring an image, the target cursor starts on the blank disk, never on the disk the image
  was saved from, and every disk says what is on it now; "check the image before restoring"
  is on, with its cost; the options' cursor starts on Continue; with no blank disk, nothing is
  highlighted until an arrow key moves to a disk;
* the Done screen says the image was verified and shows the equivalent command whole: cut
  only between words, its lines rejoined are exactly the command the log says was run;
* in Japanese, the engine's error (ntfs-3g refusing a damaged NTFS repository partition) and
  the plan's warning with the --grow hint are shown translated.
"""

import os
import re
import struct
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
from menu_terminal import MenuTerminal  # noqa: E402

MiB = kt.MiB
BOX = "\u2502"


def gpt_disk_with_ext4(path, size_mib, label, tree=None):
    """A GPT disk image with one ext4 partition from 1 MiB to the end."""
    kt.zeroed_file(path, size_mib * MiB)
    kt.run(["sfdisk", "-q", path], input="label: gpt\nstart=2048, type=L\n")
    fs = path + ".ext4"
    kt.zeroed_file(fs, (size_mib - 2) * MiB)
    kt.run(["mke2fs", "-q", "-t", "ext4", "-L", label] + (["-d", tree] if tree else []) + [fs])
    kt.run(["dd", "if=" + fs, "of=" + path, "bs=1M", "seek=1", "conv=notrunc,sparse", "status=none"])
    os.unlink(fs)


def damaged_ntfs_disk(path, size_mib, label):
    """A GPT disk with one NTFS partition whose $MFTMirr no longer matches $MFT: libblkid and
    kura still see NTFS (the boot sector is intact), ntfs-3g refuses to mount it."""
    kt.zeroed_file(path, size_mib * MiB)
    kt.run(["sfdisk", "-q", path], input="label: gpt\nstart=2048, type=EBD0A0A2-B9E5-4433-87C0-68B9B72699C7\n")
    volume = kt.make_ntfs(path + ".ntfs", (size_mib - 2) * MiB, label=label)
    with open(volume, "r+b") as f:
        boot = f.read(512)
        bytes_per_sector = struct.unpack_from("<H", boot, 0x0B)[0]
        mirror = struct.unpack_from("<Q", boot, 0x38)[0] * bytes_per_sector * boot[0x0D]
        f.seek(mirror + 0x60)
        byte = f.read(1)[0]
        f.seek(mirror + 0x60)
        f.write(bytes([byte ^ 0xFF]))
    kt.run(["dd", "if=" + volume, "of=" + path, "bs=1M", "seek=1", "conv=notrunc,sparse", "status=none"])
    os.unlink(volume)


def box_lines(screen, first, stop):
    """The text lines inside the box from the line holding `first` (excluded) up to the first
    empty one or the one holding `stop`, without the box's borders."""
    lines, inside = [], False
    for line in screen.splitlines():
        text = line.strip()
        if text.startswith(BOX):
            text = text[1:]
        if text.endswith(BOX):
            text = text[:-1]
        text = text.rstrip()
        if inside:
            if not text.strip() or stop in text:
                break
            lines.append(text)
        elif first in text:
            inside = True
    return lines


class MenuDefaults(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("sfdisk", "tmux", "partx", "mkntfs", "ntfs-3g")

    def setUp(self):
        super().setUp()
        tree = self.path("tree")
        kt.make_tree(tree, 16, big_mib=2, small_files=40)
        gpt_disk_with_ext4(self.path("server.img"), 48, "root", tree)
        gpt_disk_with_ext4(self.path("data.img"), 80, "DATA")
        kt.zeroed_file(self.path("blank.img"), 80 * MiB)
        self.server = self.enterContext(kt.partitioned_loop(self.path("server.img")))
        self.data = self.enterContext(kt.partitioned_loop(self.path("data.img")))
        self.blank = self.attach_loop(self.path("blank.img"))
        kt.run(["partx", "-d", self.blank], check=False)  # partitions an earlier user of this loop number left
        self.repo = self.new_repo()
        self.image = "server-img"
        self.assertKura(kt.run_kura("savedisk", "--repo", self.repo, "--devices",
                                    ",".join([self.server, self.data, self.blank]), self.image, self.server), 0)
        self.disks = [self.server, self.data, self.blank]

    def menu(self, extra_devices=()):
        self.log = self.path("kura-menu.log")
        m = MenuTerminal(["--devices", ",".join(self.disks + list(extra_devices)), "--log", self.log],
                         columns=100, lines=30)
        self.addCleanup(m.close)
        return m

    def choose(self, m, text):
        m.select(text)
        m.keys("Enter")

    def to_mode(self, m, language, words):
        m.wait_for("Language / 言語")
        self.choose(m, language)
        m.wait_for(words["keyboard"])
        m.keys("Enter")
        m.wait_for("mounted_dir")
        self.choose(m, "mounted_dir")
        m.wait_for(words["directory"])
        m.keys("C-u")
        m.type(self.repo)
        m.keys("Enter")
        m.wait_for(self.repo)
        m.keys("Enter")
        m.wait_for("restoredisk", "checkimage")

    def highlighted(self, m):
        lines, cursor = m.lines_and_cursor()
        return lines[cursor] if cursor is not None else None

    def test_restore_target_check_first_and_the_done_screen(self):
        m = self.menu()
        self.to_mode(m, "en_US.UTF-8", {"keyboard": "Keep the default", "directory": "The directory that holds"})
        self.choose(m, "restoredisk")
        m.wait_for("Choose an image", self.image)
        self.choose(m, self.image)
        shown = m.wait_for("Target", "What is on it now")
        server, data, blank = (os.path.basename(d) for d in (self.server, self.data, self.blank))
        # The cursor: on the blank disk, not on the source (the first disk listed) nor on data.
        line = self.highlighted(m)
        self.assertIsNotNone(line, shown)
        self.assertRegex(line, re.escape(blank) + r" .*blank \(no partition table\)")
        self.assertRegex(shown, re.escape(server) + r" .*IMAGE SOURCE")
        self.assertRegex(shown, re.escape(data) + r" .*HOLDS DATA: gpt, 1 partition\(s\): ext4 \"DATA\"")
        self.assertNotRegex(shown, re.escape(data) + r" .*IMAGE SOURCE")
        self.assertRegex(shown, r"Disk +Size +What is on it now")
        m.keys("Enter")  # the highlighted disk: the blank one

        shown = m.wait_for("Options", "Check the image before restoring")
        self.assertRegex(shown, r"Check the image before restoring +yes +\(about 1 min, [0-9.]+ [kM]B\)")
        self.assertIn("The check's time is estimated from the image files' size at 100.0 MB/s.", shown)
        self.assertIn("Continue", self.highlighted(m))
        m.keys("Enter")  # Continue, as the cursor starts there

        shown = m.wait_for("The plan", "will be overwritten")
        self.assertRegex(shown, re.escape(server) + r" +-> " + re.escape(self.blank) +
                         r" +partition table \(gpt\) and boot code")
        self.assertRegex(shown, r"Name +Target +Content +Size +Used")
        self.assertIn("is larger than the saved disk", shown)
        m.keys("Enter")
        m.wait_for("(y/n)")
        m.keys("y")
        m.wait_for("Let me ask you again")
        m.keys("y")
        shown = m.wait_for("Image %s is restored." % self.image, timeout=300)
        self.assertIn("Verified: the whole image was checked before anything was written.", shown)

        lines = box_lines(shown, "The same job without the menu:", "Start over")
        self.assertGreater(len(lines), 0, shown)
        for line in lines[:-1]:
            self.assertTrue(line.endswith(" \\"), "a command line that goes on ends in ' \\': %r" % line)
        words = " ".join(l.removesuffix(" \\").strip() for l in lines)
        with open(self.log) as f:
            ran = re.search(r"kura-menu runs: (.*)", f.read()).group(1).strip()
        self.assertEqual(words, ran)
        self.assertIn("--check-first", ran)
        self.assertIn(self.image, ran)
        m.close()
        # What was restored is what was saved.
        self.assertKura(kt.run_kura("checkimage", "--repo", self.repo, self.image), 0)
        kt.run(["partx", "-a", self.blank], check=False)
        self.addCleanup(kt.run, ["partx", "-d", self.blank], check=False)
        self.assertTrue(kt.fsck_clean(self.blank + "p1"))
        with open(self.server + "p1", "rb") as a, open(self.blank + "p1", "rb") as b:
            size = 40 * MiB
            self.assertEqual(a.read(size), b.read(size))

    def test_with_no_blank_disk_no_disk_is_highlighted_until_an_arrow_key(self):
        kt.run(["sfdisk", "-q", self.blank], input="label: gpt\nstart=2048, type=L\n")
        kt.run(["partx", "-a", self.blank], check=False)
        self.addCleanup(kt.run, ["partx", "-d", self.blank], check=False)
        m = self.menu()
        self.to_mode(m, "en_US.UTF-8", {"keyboard": "Keep the default", "directory": "The directory that holds"})
        self.choose(m, "restoredisk")
        m.wait_for("Choose an image", self.image)
        self.choose(m, self.image)
        shown = m.wait_for("Target", "No blank disk here")
        self.assertRegex(shown, re.escape(os.path.basename(self.blank)) + r" .*HOLDS DATA: gpt, 1 partition\(s\)")
        self.assertIsNone(self.highlighted(m), shown)
        m.keys("Enter")  # nothing highlighted: Enter chooses nothing
        time.sleep(1)
        self.assertIn("No blank disk here", m.screen())
        self.assertNotIn("Options", m.screen())
        m.keys("Down")  # the first move lands on the first disk that can be chosen
        line = None
        for _ in range(50):
            line = self.highlighted(m)
            if line:
                break
            time.sleep(0.1)
        self.assertIsNotNone(line)
        self.assertIn(os.path.basename(self.server), line)
        m.select(os.path.basename(self.blank))
        m.keys("Enter")
        m.wait_for("Options", "Check the image before restoring")

    def test_japanese_screens_show_the_engines_words_translated(self):
        damaged_ntfs_disk(self.path("usb.img"), 40, "USB")
        usb = self.enterContext(kt.partitioned_loop(self.path("usb.img")))
        m = self.menu([usb])
        m.wait_for("Language / 言語")
        self.choose(m, "ja_JP.UTF-8")
        m.wait_for("既定のキーボード配列のまま")
        m.keys("Enter")
        m.wait_for("local_dev")
        self.choose(m, "local_dev")
        part = os.path.basename(usb) + "p1"
        m.wait_for(part, "ntfs")
        self.choose(m, part)
        shown = m.wait_for("ntfs-3g でマウントできませんでした")
        self.assertIn("/dev/%s: ntfs-3g でマウントできませんでした" % part, shown)
        self.assertNotIn("could not mount it", shown)

        # The plan's warning, with the --grow hint, in Japanese too.
        m.keys("Escape")
        m.wait_for("mounted_dir")
        self.choose(m, "mounted_dir")
        m.wait_for("イメージのあるディレクトリ")
        m.keys("C-u")
        m.type(self.repo)
        m.keys("Enter")
        m.wait_for(self.repo)
        m.keys("Enter")
        m.wait_for("restoredisk")
        self.choose(m, "restoredisk")
        m.wait_for(self.image)
        self.choose(m, self.image)
        m.wait_for("現在の内容")
        m.keys("Enter")
        m.wait_for("オプション", "復元の前にイメージを検査する")
        m.keys("Enter")
        shown = m.wait_for("上書きされます", "保存元のディスクより大きいため")
        self.assertIn("--grow を指定すると", shown.replace("\n", ""))
        self.assertNotIn("is larger than the saved disk", shown)
        m.keys("Escape")


if __name__ == "__main__":
    kt.main()
