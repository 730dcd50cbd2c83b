# SPDX-License-Identifier: GPL-3.0-or-later
"""A save that cannot finish leaves nothing behind that could be mistaken for an image:
interrupted by Ctrl-C (SIGINT) mid-stream, or stopped by a full repository."""
import os
import signal
import subprocess

from kuratest import (EXIT_CANCELLED, EXIT_IO, KURA_BIN, KuraTestCase, MiB, main, make_ext, make_tree, run_kura)


class SaveFailures(KuraTestCase):
    def setUp(self):
        super().setUp()
        tree = self.path("tree")
        make_tree(tree, seed=7, big_mib=30, small_files=100)
        self.source = make_ext(self.path("source.img"), 128 * MiB, ["-t", "ext4"], tree)

    def test_interrupted_save_removes_its_partial_image(self):
        repo = self.new_repo()
        # zstd -19 on one thread is slow enough that the signal lands mid-stream.
        proc = subprocess.Popen([KURA_BIN, "saveparts", "--repo", repo, "--progress=json", "--threads", "1",
                                 "--level", "19", "img", self.source],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for line in proc.stderr:
                if '"event":"progress"' in line:
                    break
            self.assertTrue(os.listdir(repo), "the partial image should exist while saving")
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, EXIT_CANCELLED, err)
        self.assertIn("interrupted", err)
        self.assertEqual(os.listdir(repo), [], "nothing may remain of an interrupted save")

    def test_full_repository_fails_cleanly(self):
        small = make_ext(self.path("small-repo.img"), 16 * MiB, ["-t", "ext4"])
        loop = self.attach_loop(small)
        repo = self.mount(loop, self.path("repo-mnt"))
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "-z", "none", "img", self.source)
        self.assertEqual(rc, EXIT_IO, err)
        self.assertIn("repository is full", err)
        self.assertEqual(sorted(os.listdir(repo)), ["lost+found"], "the partial image must be removed")


if __name__ == "__main__":
    main()
