# SPDX-License-Identifier: GPL-3.0-or-later
"""restoreparts asks "Are you sure you want to continue? (y/n)" twice on a terminal:
two yeses restore, any no stops with exit 8 and the target untouched. Driven through a
real pseudo-terminal, as an operator at a console would answer."""
import hashlib
import os
import pty
import select
import shutil
import subprocess
import tempfile
import time
import unittest

KURA = os.environ.get("KURA_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "kura"))
PROMPT = b"Are you sure you want to continue? (y/n)"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_on_terminal(argv, answers, timeout=60):
    """Runs argv with a pty as stdin/stdout/stderr, sending one answer per prompt seen.
    Returns (exit code, everything it printed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    output, pending, deadline = b"", list(answers), time.monotonic() + timeout
    prompts_answered = 0
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            output += data
        if pending and output.count(PROMPT) > prompts_answered:
            os.write(fd, pending.pop(0) + b"\n")
            prompts_answered += 1
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


class Confirmation(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(dir="/var/tmp", prefix="kura-confirm.")
        self.addCleanup(shutil.rmtree, self.work, True)
        self.repo = os.path.join(self.work, "repo")
        os.mkdir(self.repo)
        tree = os.path.join(self.work, "tree")
        os.makedirs(os.path.join(tree, "dir"))
        with open(os.path.join(tree, "dir", "file.txt"), "w") as f:
            f.write("kura confirmation test\n" * 1000)
        self.source = os.path.join(self.work, "src.img")
        subprocess.run(["truncate", "-s", "32M", self.source], check=True)
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, self.source], check=True)
        subprocess.run([KURA, "saveparts", "--repo", self.repo, "--progress=none", "img", self.source],
                       check=True, capture_output=True)
        self.target = os.path.join(self.work, "target.img")
        with open(self.target, "wb") as f:
            f.write(b"old contents that must survive a 'no'\n" * 1000)
        subprocess.run(["truncate", "-s", "32M", self.target], check=True)
        self.before = sha256(self.target)

    def restore(self, answers):
        return run_on_terminal([KURA, "restoreparts", "--repo", self.repo, "--progress=none", "img", self.target],
                               answers)

    def test_two_yeses_restore(self):
        rc, out = self.restore([b"y", b"y"])
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.count("Are you sure you want to continue? (y/n)"), 2, out)
        self.assertEqual(sha256(self.target), sha256(self.source))

    def test_no_at_first_question_writes_nothing(self):
        rc, out = self.restore([b"n"])
        self.assertEqual(rc, 8, out)
        self.assertIn("nothing was written", out)
        self.assertEqual(sha256(self.target), self.before)

    def test_no_at_second_question_writes_nothing(self):
        rc, out = self.restore([b"y", b"n"])
        self.assertEqual(rc, 8, out)
        self.assertEqual(out.count("Are you sure you want to continue? (y/n)"), 2, out)
        self.assertEqual(sha256(self.target), self.before)


if __name__ == "__main__":
    unittest.main(verbosity=2)
