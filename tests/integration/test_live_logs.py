# SPDX-License-Identifier: GPL-3.0-or-later
"""The live system's logs copied beside the image: with KURA_LIVE_LOG_DIR set, saveparts
and savedisk copy every regular file directly in it (sorted, names made safe) into the
image as kura-live-NAME; a subdirectory, a symlink and a file over 16 MiB are left out
(the last with a warning in kura's output and the image's log). The images still pass
checkimage, are listed as complete, and restore."""
import json
import os

import disk_images as di
import kuratest as kt
from kuratest import KuraTestCase, MiB, main, run

INIT_LOG = b"2026-12-07 09:00:01 init: eth0: DHCP 10.0.0.9/24\n2026-12-07 09:00:02 init: kura-menu started\n"
MENU_LOG = "2026-12-07 09:01:00 kura-menu: preset repository: /srv/images\nパスワードは記録しない\n".encode()
BIG_BYTES = 16 * MiB + 1


class LiveLogs(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("sfdisk",)

    def make_log_dir(self):
        logs = self.path("var-log-kura")
        os.mkdir(logs)
        with open(os.path.join(logs, "init.log"), "wb") as f:
            f.write(INIT_LOG)
        with open(os.path.join(logs, "kura menu.log"), "wb") as f:
            f.write(MENU_LOG)
        os.mkdir(os.path.join(logs, "old"))
        with open(os.path.join(logs, "old", "init.log.1"), "wb") as f:
            f.write(b"rotated\n")
        with open(os.path.join(logs, "big.log"), "wb") as f:
            f.truncate(BIG_BYTES)
        os.symlink("init.log", os.path.join(logs, "link.log"))
        return logs

    def kura(self, logs, *args):
        env = dict(os.environ, KURA_LIVE_LOG_DIR=logs)
        proc = run([kt.KURA_BIN, *args], check=False, env=env)
        self.assertEqual(proc.returncode, 0, kt.describe(proc.returncode, proc.stdout, proc.stderr))
        return proc

    def check_image(self, repo, image, save_output):
        imgdir = os.path.join(repo, image)
        names = sorted(os.listdir(imgdir))
        live = [n for n in names if n.startswith("kura-live-")]
        self.assertEqual(live, ["kura-live-init.log", "kura-live-kura_menu.log"], names)
        with open(os.path.join(imgdir, "kura-live-init.log"), "rb") as f:
            self.assertEqual(f.read(), INIT_LOG)
        with open(os.path.join(imgdir, "kura-live-kura_menu.log"), "rb") as f:
            self.assertEqual(f.read(), MENU_LOG)
        self.assertIn("big.log", save_output.stderr)
        self.assertIn("16 MiB", save_output.stderr)
        with open(os.path.join(imgdir, "clonezilla-img")) as f:
            self.assertIn("big.log", f.read(), "the image's own log says why a log is missing")
        # The extra files change nothing for the readers of the image.
        self.assertKura(kt.run_kura("checkimage", "--repo", repo, image), 0, "checkimage")
        rc, out, err = kt.run_kura("list-images", "--repo", repo, "--json")
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        listed = {e["name"]: e for e in json.loads(out)["images"]}
        self.assertIn(image, listed)
        self.assertTrue(listed[image]["restorable"], listed[image])
        return imgdir

    def test_saveparts_copies_the_logs_and_the_image_restores(self):
        logs = self.make_log_dir()
        src = kt.make_ext(self.path("src.img"), 64 * MiB, ["-t", "ext4"])
        repo = self.new_repo()
        saved = self.kura(logs, "saveparts", "--repo", repo, "--progress=none", "img", src)
        self.check_image(repo, "img", saved)
        target = kt.zeroed_file(self.path("target.img"), 64 * MiB)
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes", "--progress=none", "img", target), 0)
        self.assertSameBytes(src, target)

    def test_savedisk_copies_the_logs(self):
        logs = self.make_log_dir()
        disk = kt.zeroed_file(self.path("disk.img"), 48 * MiB)
        run(["sfdisk", "-q", disk], input="label: dos\nstart=2048, type=83\n")
        start, sectors = di.table(disk)[1]
        fs = kt.make_ext(self.path("p1.img"), sectors * di.SECTOR, ["-t", "ext4"])
        di.copy_into(disk, start, fs)
        repo = self.new_repo()
        saved = self.kura(logs, "savedisk", "--repo", repo, "--progress=none", "disk-img", disk)
        imgdir = self.check_image(repo, "disk-img", saved)
        with open(os.path.join(imgdir, "parts")) as f:
            self.assertEqual(f.read().split(), ["disk1"])

    def test_unset_empty_or_missing_directory_copies_nothing(self):
        src = kt.make_ext(self.path("src.img"), 32 * MiB, ["-t", "ext4"])
        repo = self.new_repo()
        for n, value in enumerate(["", self.path("no-such-dir"), None]):
            env = dict(os.environ)
            env.pop("KURA_LIVE_LOG_DIR", None)
            if value is not None:
                env["KURA_LIVE_LOG_DIR"] = value
            image = "img%d" % n
            proc = run([kt.KURA_BIN, "saveparts", "--repo", repo, "--progress=none", image, src], check=False, env=env)
            self.assertEqual(proc.returncode, 0, kt.describe(proc.returncode, proc.stdout, proc.stderr))
            self.assertEqual([f for f in os.listdir(os.path.join(repo, image)) if f.startswith("kura-live-")], [])
            self.assertNotIn("warning", proc.stderr)


if __name__ == "__main__":
    main()
