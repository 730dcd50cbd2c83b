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

    def walk_to_mode(self, g, repo_partition_name, lang="en"):
        """Language, keyboard, the local repository partition: the mode screen."""
        if lang == "en":
            g.wait_menu("Language / ", "en_US.UTF-8")
            g.choose("en_US.UTF-8")
            g.wait_for("Keyboard", "Keep the default")
            g.choose("Keep the default")
            g.wait_for("Where images live", "local_dev")
        else:
            g.wait_for("キーボード")
            g.choose("既定のキーボード配列のまま")
            g.wait_for("イメージの保存場所", "local_dev")
        g.choose("local_dev")
        g.wait_for(repo_partition_name, REPO_LABEL)
        g.choose(repo_partition_name)
        g.wait_for("dev:" + repo_partition_name)
        g.keys("Enter")
