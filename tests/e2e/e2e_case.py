"""Shared by the e2e tests: the integration tests' helpers (real mkfs, loop devices they
create themselves) plus the disks a booted guest works on."""
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
sys.path.insert(0, HERE)
import disk_images as di  # noqa: E402,F401
import kuratest as kt  # noqa: E402
from live_guest import LiveGuest  # noqa: E402,F401

MiB = kt.MiB
REPO_LABEL = "KURA-IMAGES"


def make_repository_disk(ws, path, size_mib=400):
    """A USB-stick-like repository disk: GPT, one ext4 partition labelled KURA-IMAGES."""
    kt.zeroed_file(path, size_mib * MiB)
    kt.run(["sfdisk", "-q", path], input="label: gpt\nstart=2048, type=L\n")
    start, size = di.table(path)[1]
    fs = kt.make_ext(os.path.join(ws, "repo-fs.img"), size * di.SECTOR, ["-t", "ext4", "-L", REPO_LABEL])
    di.copy_into(path, start, fs)
    os.remove(fs)
    return path


class LiveTestCase(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("qemu-system-x86_64", "sfdisk", "mkfs.fat", "mkntfs",
                                                       "mkswap", "mcopy", "partx")

    def guest(self, **kwargs):
        g = LiveGuest(self.tmp, **kwargs)
        self.addCleanup(g.close)
        return g.start()

    def repository_partition(self, repo_disk):
        """The repository disk's ext4 partition on the host, mounted read-only."""
        loop = self.enterContext(kt.partitioned_loop(repo_disk))
        return self.mount(loop + "p1", self.path("repo-mnt"), "ro")

    def walk_to_local_partitions(self, g):
        """Language and keyboard (English, us), then local_dev: the partition list."""
        g.wait_menu("Language / ", "en_US.UTF-8")
        g.choose("en_US.UTF-8")
        g.wait_for("Keyboard", "Keep the default")
        g.choose("Keep the default")
        g.wait_for("Where images live", "local_dev")
        g.choose("local_dev")
        return g.wait_for(REPO_LABEL)

    def open_local_repository(self, g, repo_partition_name):
        g.wait_for(repo_partition_name, REPO_LABEL)
        g.choose(repo_partition_name)
        g.wait_for("dev:" + repo_partition_name)
        g.keys("Enter")

    def walk_to_mode(self, g, repo_partition_name):
        """Language, keyboard, the local repository partition: the mode screen."""
        self.walk_to_local_partitions(g)
        self.open_local_repository(g, repo_partition_name)


# What the menu says at each step of a save and a restore, per language.
ENGLISH = {
    "mode": "Mode", "name": "Image name", "disks": "Disks to save", "options": "Options", "continue": "Continue",
    "plan": "The plan", "data": "Data to copy", "saved": "Image {} is saved.", "start_over": "Start over",
    "choose_image": "Choose an image", "target": "Target", "grow": "Grow the last partition",
    "overwritten": "will be overwritten", "ask_again": "Let me ask you again", "restored": "Image {} is restored.",
    "power_off": "Power off",
}
JAPANESE = {
    "mode": "モード", "name": "イメージ名", "disks": "保存するディスク", "options": "オプション", "continue": "続ける",
    "plan": "実行計画", "data": "コピーするデータ", "saved": "イメージ {} を保存しました。", "start_over": "最初から",
    "choose_image": "イメージの選択", "target": "復元先", "grow": "最後のパーティション",
    "overwritten": "上書きされます", "ask_again": "もう一度確認します", "restored": "イメージ {} を復元しました。",
    "power_off": "電源を切る",
}


def save_disk_through_menu(g, image, disk, words=ENGLISH, check_disks=None):
    """From the mode screen: savedisk of `disk` as `image`, up to the result screen.
    check_disks(screen) may look at the disk list before the disk is chosen."""
    g.wait_for(words["mode"], "savedisk")
    g.choose("savedisk")
    g.wait_for(words["name"])
    g.keys("C-u")
    g.type(image)
    g.keys("Enter")
    shown = g.wait_for(words["disks"], disk)
    if check_disks:
        check_disks(shown)
    g.select(disk)
    g.keys("Space", "Enter")
    g.wait_for(words["options"], "zstd")
    g.choose(words["continue"])
    g.wait_for(words["plan"], words["data"], disk)
    g.keys("Enter")
    g.wait_for("(y/n)", image)
    g.keys("y")
    # The result screen is drawn in pieces over the serial line: waiting for its first
    # line alone raced with the rest (the command line) still arriving.
    return g.wait_for(words["saved"].format(image), "kura savedisk", timeout=900)


def restore_disk_through_menu(g, image, target, words=ENGLISH, check_targets=None):
    """From the mode screen: restoredisk of `image` onto `target`, both questions answered.
    check_targets(screen) may look at the target list before the target is chosen."""
    g.wait_for(words["mode"], "restoredisk")
    g.choose("restoredisk")
    g.wait_for(words["choose_image"], image)
    g.choose(image)
    shown = g.wait_for(words["target"], target)
    if check_targets:
        check_targets(shown)
    g.choose(target)
    g.wait_for(words["options"], words["grow"])
    g.choose(words["continue"])
    g.wait_for(words["plan"], words["overwritten"])
    g.keys("Enter")
    g.wait_for("(y/n)", target)
    g.keys("y")
    g.wait_for(words["ask_again"])
    g.keys("y")
    return g.wait_for(words["restored"].format(image), "kura restoredisk", timeout=900)
