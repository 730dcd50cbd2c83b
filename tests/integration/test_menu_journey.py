# SPDX-License-Identifier: GPL-3.0-or-later
"""The operator's whole journey through the real kura-menu, by keystrokes alone, under tmux
at 80x25 and confined to loop devices this test made (--devices):

* in English, with the images on a local disk's partition that kura mounts itself
  (local_dev), in colour (TERM=xterm);
* in Japanese, with the images on the NFS test server (nfs-ganesha on 127.0.0.1 in a
  private network namespace), monochrome over a vt100 terminal, as on a serial console.

Each run saves a GPT server disk (ESP FAT32, NTFS, swap, a raw partition, ext4) with
savedisk, then restores it with restoredisk onto an empty disk, asserting the screen at
every step; the restored disk is then checked like the CLI's round trips are (tables,
boot code, fsck and file trees of every filesystem, swap UUID and label).
"""

import os
import re
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk_images as di  # noqa: E402
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402
from menu_terminal import MenuTerminal  # noqa: E402

MiB = kt.MiB
SAVE_TIMEOUT = 600


class MenuJourney(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("sfdisk", "sgdisk", "mkfs.fat", "mkntfs", "mkswap", "mcopy",
                                                       "tmux", "partx")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.layout = di.make_gpt_disk(cls.ws, os.path.join(cls.ws, "server-disk.img"))

    def loops(self, source_copy, target_mib):
        """The server disk (a copy, attached with its partitions) and an empty target disk."""
        kt.run(["cp", "--sparse=always", self.layout.path, source_copy])
        source = self.enterContext(kt.partitioned_loop(source_copy))
        target_file = self.path("target.img")
        kt.zeroed_file(target_file, target_mib * MiB)
        target = self.attach_loop(target_file)
        return source, target, target_file

    def menu(self, devices, prefix, term, env=None, extra=()):
        log = self.path("kura-menu.log")
        m = MenuTerminal(["--devices", ",".join(devices), "--log", log] + list(extra), env=env, term=term,
                         screens_prefix=prefix)
        self.addCleanup(m.close)
        return m, log

    def choose(self, m, text):
        m.select(text)
        m.keys("Enter")

    def save_and_restore(self, m, image, source, target, words, repo_disk=None, slow=False):
        """From the mode menu: savedisk of `source`, then restoredisk onto `target`. A disk
        holding the repository is offered for neither, and says why."""
        src, tgt = os.path.basename(source), os.path.basename(target)
        m.wait_for(words["mode_title"], "savedisk", "restoredisk", "checkimage")
        m.snap("mode")
        self.choose(m, "savedisk")
        shown = m.wait_for(words["name_title"])
        self.assertRegex(shown, r"\d{4}-\d\d-\d\d-\d\d-img")  # the default name
        m.snap("image-name")
        m.keys("C-u")
        m.type(image)
        m.keys("Enter")
        shown = m.wait_for(words["disks_title"], src, tgt)
        m.snap("disks")
        if repo_disk:
            self.assertRegex(shown, re.escape(os.path.basename(repo_disk)) + r" +\(" + words["holds_repo"])
        m.select(src)
        m.keys("Space", "Enter")
        m.wait_for(words["options_title"], "zstd")
        if slow:
            # Enter cycles an option: zstd 3 -> 1 -> 9 -> 19, slow enough to watch it work.
            m.select(words["compression"])
            m.keys("Enter", "Enter", "Enter")
            m.wait_for(words["slowest"])
        m.snap("save-options")
        self.choose(m, words["continue"])
        shown = m.wait_for(words["plan_title"], words["data_to_copy"])
        self.assertIn(src, shown)
        m.snap("save-plan")
        m.keys("Enter")
        m.wait_for("(y/n)", image)
        m.snap("save-confirm")
        m.keys("y")
        self.snap_progress(m, words)
        shown = m.wait_for(words["saved"].format(image=image), timeout=SAVE_TIMEOUT, absent=(words["overall"],))
        self.assertIn("kura savedisk", shown)
        m.snap("save-result")
        self.choose(m, words["start_over"])

        m.wait_for(words["mode_title"], "restoredisk")
        self.choose(m, "restoredisk")
        shown = m.wait_for(words["image_title"], image)
        m.snap("choose-image")
        self.choose(m, image)
        shown = m.wait_for(words["target_title"], tgt)
        m.snap("restore-target")
        if repo_disk:
            self.assertRegex(shown, re.escape(os.path.basename(repo_disk)) + r" +\(" + words["holds_repo"])
        self.choose(m, tgt)
        m.wait_for(words["options_title"], words["grow"])
        m.snap("restore-options")
        self.choose(m, words["continue"])
        m.wait_for(words["plan_title"], words["overwritten"])
        m.snap("restore-plan")
        m.keys("Enter")
        m.wait_for("(y/n)", tgt)
        m.snap("restore-confirm")
        m.keys("y")
        m.wait_for(words["ask_again"])
        m.snap("restore-confirm-again")
        m.keys("y")
        self.snap_progress(m, words, "restore-progress")
        shown = m.wait_for(words["restored"].format(image=image), timeout=SAVE_TIMEOUT, absent=(words["overall"],))
        self.assertIn("kura restoredisk", shown)
        m.snap("restore-result")

    def snap_progress(self, m, words, name="save-progress"):
        """The progress screen once the engine has reported a partition, if the job is still
        running by then (a restore of this small disk is over in about a second)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            shown = m.screen()
            if any(words[k] in shown for k in ("saved", "restored") if "{" not in words[k]) or \
                    words["result_title"] in shown:
                return
            if re.search(r"\((loop\d+p\d+|loop\d+)\)", shown) and words["overall"] in shown:
                m.snap(name)
                self.assertIn(words["now"], shown)
                self.assertRegex(shown, r"\d+\.\d%")
                return
            time.sleep(0.05)

    def check_target(self, target, target_file):
        kt.run(["partx", "-d", target], check=False)
        di.check_restored(self, self.layout, target_file, self.tmp)


ENGLISH = {
    "mode_title": "Mode", "name_title": "Image name", "disks_title": "Disks to save", "options_title": "Options",
    "continue": "Continue", "plan_title": "The plan", "data_to_copy": "Data to copy", "overall": "Overall:",
    "saved": "Image {image} is saved.", "start_over": "Start over", "image_title": "Choose an image",
    "target_title": "Target", "grow": "Grow the last partition", "overwritten": "will be overwritten",
    "ask_again": "Let me ask you again", "restored": "Image {image} is restored.",
    "holds_repo": "holds the image repository", "now": "Now:", "result_title": "Done", "compression": "Compression",
    "slowest": "zstd level 19",
}

JAPANESE = {
    "mode_title": "モード", "name_title": "イメージ名", "disks_title": "保存するディスク", "options_title": "オプション",
    "continue": "続ける", "plan_title": "実行計画", "data_to_copy": "コピーするデータ", "overall": "全体:",
    "saved": "イメージ {image} を保存しました。", "start_over": "最初から", "image_title": "イメージの選択",
    "target_title": "復元先", "grow": "最後のパーティション", "overwritten": "上書きされます",
    "ask_again": "もう一度確認します", "restored": "イメージ {image} を復元しました。",
    "holds_repo": "イメージの保存場所があります", "now": "現在:", "result_title": "完了", "compression": "圧縮",
    "slowest": "zstd レベル 19",
}


class EnglishLocalDisk(MenuJourney):
    def test_savedisk_and_restoredisk_on_a_local_disk(self):
        source, target, target_file = self.loops(self.path("source.img"), 300)
        # The repository disk: one ext4 partition labelled KURA-IMAGES, which kura mounts itself.
        repo_file = self.path("repo-disk.img")
        kt.zeroed_file(repo_file, 400 * MiB)
        kt.run(["sfdisk", "-q", repo_file], input="label: gpt\nstart=2048, type=L\n")
        repo_disk = self.enterContext(kt.partitioned_loop(repo_file))
        repo_part = repo_disk + "p1"
        kt.run(["mke2fs", "-q", "-t", "ext4", "-L", "KURA-IMAGES", repo_part])

        m, log = self.menu([source, target, repo_disk], "en", "xterm")
        m.wait_for("Language / 言語", "en_US.UTF-8", "ja_JP.UTF-8", "日本語")
        m.snap("language")
        self.choose(m, "en_US.UTF-8")
        m.wait_for("Keyboard", "Keep the default keyboard layout", "jp106")
        m.snap("keyboard")
        self.choose(m, "Keep the default")
        m.wait_for("Where images live", "local_dev", "samba_server", "nfs_server")
        m.snap("repository-kind")
        self.choose(m, "local_dev")
        part = os.path.basename(repo_part)
        shown = m.wait_for("Local disk or USB drive", part, "KURA-IMAGES")
        m.snap("local-partition")
        self.choose(m, part)
        shown = m.wait_for("Image repository", "Free space", "dev:" + part)
        m.snap("repository-found")
        m.keys("Enter")
        self.save_and_restore(m, "menu-en-img", source, target, ENGLISH, repo_disk=repo_disk, slow=True)
        m.close()

        self.check_target(target, target_file)
        # The image is on the repository partition, with the equivalent command beside it.
        mnt = self.mount(repo_part, self.path("repo-mnt"), "ro")
        with open(os.path.join(mnt, "menu-en-img", "Info-saved-by-cmd.txt")) as f:
            command = f.read()
        self.assertIn("kura savedisk", command)
        self.assertIn("menu-en-img", command)
        self.assertKura(kt.run_kura("checkimage", "--repo", mnt, "menu-en-img"), 0)
        with open(log) as f:
            self.assertIn("savedisk", f.read())


class JapaneseNfs(MenuJourney):
    def test_savedisk_and_restoredisk_through_nfs_in_japanese(self):
        export = self.path("export")
        os.makedirs(export)
        self.enterContext(ns.nfs_server(self.path("nfs"), export))
        source, target, target_file = self.loops(self.path("source.img"), 300)

        m, log = self.menu([source, target], "ja", "vt100", env={"NO_COLOR": "1"})
        m.wait_for("Language / 言語", "ja_JP.UTF-8")
        m.snap("language")
        self.choose(m, "ja_JP.UTF-8")
        m.wait_for("キーボード", "既定のキーボード配列のまま", "jp106")
        m.snap("keyboard")
        self.choose(m, "日本語 106/109")
        m.wait_for("イメージの保存場所", "nfs_server", "NFS サーバー")
        m.snap("repository-kind")
        self.choose(m, "nfs_server")
        m.wait_for("ネットワーク", "lo", "リンクあり")
        m.snap("network-card")
        self.choose(m, "lo")
        m.wait_for("ネットワークアドレス", "127.0.0.1/8")
        m.snap("network-address")
        self.choose(m, "keep")
        m.wait_for("NFS サーバー (IP アドレスまたはホスト名")
        m.snap("nfs-server")
        m.type("127.0.0.1")
        m.keys("Enter")
        m.wait_for("/home/partimag")
        m.keys("C-u")
        m.type("/export")
        m.snap("nfs-export")
        m.keys("Enter")
        m.wait_for("NFSv3")
        m.snap("nfs-version")
        self.choose(m, "NFS v3")
        m.wait_for("空き容量", "nfs://127.0.0.1/export")
        m.snap("repository-found")
        m.keys("Enter")
        self.save_and_restore(m, "menu-ja-img", source, target, JAPANESE, slow=True)
        m.close()

        self.check_target(target, target_file)
        self.assertKura(kt.run_kura("checkimage", "--repo", export, "menu-ja-img"), 0)
        with open(os.path.join(export, "menu-ja-img", "Info-saved-by-cmd.txt")) as f:
            self.assertIn("nfs://127.0.0.1/export", f.read())


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
