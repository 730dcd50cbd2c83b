# SPDX-License-Identifier: GPL-3.0-or-later
"""The server dies (SIGKILL) in the middle of a save or a restore and comes back a few
seconds later: kura must reconnect by itself, say so, continue from where the server last
made the data durable, and end with an image that verifies and restores byte-identically.

The volume holds ~240 MiB of incompressible data so the transfer lasts long enough; the
kill is timed by watching the transfer itself (the file growing on the server for a save,
kura's write counter in /proc for a restore), not by sleeping.
"""

import os
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402

MiB = kt.MiB
PASSWORD = "Reconnect-Pw-42"
DATA = 240 * MiB
VOLUME = 320 * MiB


def server_bytes(server_dir):
    """Bytes of image data on the server, wherever kura keeps the image while saving."""
    total = 0
    for dirpath, _, names in os.walk(server_dir):
        total += sum(os.path.getsize(os.path.join(dirpath, n)) for n in names if "-ptcl-img." in n)
    return total


def written_bytes(pid):
    try:
        with open("/proc/%d/io" % pid) as f:
            for line in f:
                if line.startswith("wchar:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Reconnect(kt.KuraTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tree = kt.random_tree(os.path.join(cls.ws, "tree"), DATA // MiB)
        cls.src = kt.make_ext(os.path.join(cls.ws, "src.img"), VOLUME, ["-t", "ext4"], tree)
        os.unlink(os.path.join(tree, "random.bin"))

    def run_with_outage(self, args, progress_of, kill, restart, env):
        """Runs kura; when progress_of(pid) passes a third of the data, kill the server,
        wait 3 s, restart it. Returns (rc, stdout, stderr, whether the kill happened)."""
        proc = subprocess.Popen([kt.KURA_BIN, *args], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        killed = False
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if progress_of(proc.pid) > DATA // 3:
                kill()
                killed = True
                time.sleep(3)
                restart()
                break
            time.sleep(0.02)
        out, err = proc.communicate(timeout=300)
        # Shown in the test log as evidence of what kura told the operator.
        for line in err.decode(errors="replace").splitlines():
            if "reconnect" in line or "is back" in line:
                print("   ", line)
        return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), killed

    def outage_during_save_and_restore(self, url, server_dir, kill, restart, env, kind):
        rc, out, err, killed = self.run_with_outage(
            ["saveparts", "--repo", url, "--progress=none", "-z", "none", "--split", "0", "img", self.src],
            lambda pid: server_bytes(server_dir), kill, restart, env)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertTrue(killed, "the save ended before the server could be killed")
        self.assertIn("%s lost" % kind, err)
        self.assertRegex(err, r"reconnecting \(attempt 1/\d+, next in \d+ s\)")
        self.assertIn("verified", out)
        # The resumed image verifies as an ordinary directory too, and restores exactly.
        self.assertKura(kt.run_kura("checkimage", "--repo", server_dir, "img"), 0)

        target = kt.zeroed_file(self.path("target.img"), VOLUME)
        rc, out, err, killed = self.run_with_outage(
            ["restoreparts", "--repo", url, "--yes", "--progress=none", "img", target],
            written_bytes, kill, restart, env)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertTrue(killed, "the restore ended before the server could be killed")
        self.assertIn("reconnecting (attempt", err)
        self.assertSameBytes(self.src, target)
        return err

    def test_nfs_server_killed_mid_save_and_mid_restore(self):
        export = self.path("export")
        os.makedirs(export)
        with ns.nfs_server(self.path("nfs"), export) as server:
            self.outage_during_save_and_restore(server.url(), export, server.kill_ganesha,
                                                server.start_ganesha, dict(os.environ), "NFS server")

    def test_smb_server_killed_mid_save_and_mid_restore(self):
        share = self.path("share")
        os.makedirs(share)
        with ns.smb_server(self.path("smb"), share, PASSWORD) as server:
            err = self.outage_during_save_and_restore(
                server.url(), share, server.kill, server.start,
                dict(os.environ, KURA_SMB_PASSWORD=PASSWORD), "SMB server")
            self.assertNotIn(PASSWORD, err)


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
