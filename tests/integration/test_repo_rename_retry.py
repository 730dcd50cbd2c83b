# SPDX-License-Identifier: GPL-3.0-or-later
"""The last step of a save renames .kura-partial-IMAGE to IMAGE on the server. When the
connection breaks around that RENAME, kura reconnects and tries again - and a rename is not
idempotent: if the server had already performed it and only its reply was lost, sending it
again fails (the source is gone), and a complete image would be reported as a failed save.

The lost packet is made deterministic with gdb, on the real servers: kura runs under gdb
with a breakpoint on the library call that sends the rename (libnfs's nfs_rename, Samba's
cli_rename under libsmbclient), and gdb either
  * lets the call complete on the server, then makes it report a broken connection (the
    reply was lost), or
  * makes it fail before anything is sent (the request was lost).
Either way kura must say it reconnects, finish with exit 0, and leave one complete,
verifiable image and no partial one.
"""

import json
import os
import platform
import re
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402

MiB = kt.MiB
PASSWORD = "Rename-Retry-Pw-9"
EIO = 5
NT_STATUS_CONNECTION_RESET = 0xC000020D


class RenameRetry(kt.KuraTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if shutil.which("gdb") is None or platform.machine() != "x86_64":
            raise AssertionError("these tests need gdb on x86-64 (they set the return register)")
        cls.export = os.path.join(cls.ws, "export")
        cls.share = os.path.join(cls.ws, "share")
        os.makedirs(cls.export)
        os.makedirs(cls.share)
        cls.nfs = cls.enterClassContext(ns.nfs_server(os.path.join(cls.ws, "nfs"), cls.export))
        cls.smb = cls.enterClassContext(ns.smb_server(os.path.join(cls.ws, "smb"), cls.share, PASSWORD))
        tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=3, big_mib=2, small_files=30)
        cls.src = kt.make_ext(os.path.join(cls.ws, "src.img"), 16 * MiB, ["-t", "ext4"], tree)
        cls.env = {k: v for k, v in os.environ.items() if not k.startswith("KURA_SMB")}
        cls.env["KURA_SMB_PASSWORD"] = PASSWORD

    def save_under_gdb(self, url, image, function, at_breakpoint):
        """saveparts under gdb: at the first call of `function`, run the gdb commands
        `at_breakpoint`, then let kura continue. Returns kura's exit code and output."""
        # Removed behind the servers' backs afterwards; every test uses a name of its own,
        # so neither server meets a removed name again.
        for root in (self.export, self.share):
            for name in (image, ".kura-partial-" + image):
                self.addCleanup(shutil.rmtree, os.path.join(root, name), True)
        gdb = ["gdb", "-q", "-batch", "-nx"]
        for command in ("set debuginfod enabled off", "set confirm off", "set pagination off",
                        "set breakpoint pending on", "handle SIGPIPE nostop noprint pass",
                        "break " + function, "run", *at_breakpoint, "delete", "continue"):
            gdb += ["-ex", command]
        gdb += ["--args", kt.KURA_BIN, "saveparts", "--repo", url, "--progress=none", image, self.src]
        proc = kt.run(gdb, check=False, env=self.env, timeout=300)
        output = proc.stdout + proc.stderr
        self.assertIn("Breakpoint 1, ", output, "gdb never stopped at " + function + "\n" + output)
        self.assertNotIn(PASSWORD, output)
        ended = re.search(r"\[Inferior 1 \(process \d+\) exited (normally|with code (\d+))\]", output)
        self.assertIsNotNone(ended, "kura did not run to its end under gdb:\n" + output)
        rc = 0 if ended.group(1) == "normally" else int(ended.group(2), 8)  # gdb prints it in octal
        return rc, output

    def assertSavedOnce(self, url, image, rc, output, server_dir):
        self.assertEqual(rc, 0, output)
        self.assertRegex(output, r"server lost \(cannot rename .*\), reconnecting \(attempt 1/")
        print("\n    " + "\n    ".join(line for line in output.splitlines() if "kura:" in line and "server" in line))
        names = os.listdir(server_dir)
        self.assertIn(image, names)
        self.assertNotIn(".kura-partial-" + image, names, "a partial image was left")
        rc, out, err = self.kura_env("list-images", "--repo", url, "--json")
        self.assertEqual(rc, 0, err)
        listed = [i for i in json.loads(out)["images"] if i["name"] == image]
        self.assertEqual(len(listed), 1, out)
        self.assertTrue(listed[0]["restorable"], out)
        self.assertKura(kt.run_kura("checkimage", "--repo", server_dir, image), 0)

    def kura_env(self, *args):
        proc = kt.run([kt.KURA_BIN, *args], check=False, env=self.env)
        return proc.returncode, proc.stdout, proc.stderr

    # libnfs's synchronous nfs_rename returns 0 or -errno; -EIO is what a broken connection gives.

    def test_nfs_rename_reply_lost(self):
        rc, output = self.save_under_gdb(self.nfs.url(), "nfs-reply", "nfs_rename",
                                         ["finish", "set $rax = %d" % -EIO])
        self.assertSavedOnce(self.nfs.url(), "nfs-reply", rc, output, self.export)

    def test_nfs_rename_request_lost(self):
        rc, output = self.save_under_gdb(self.nfs.url(), "nfs-request", "nfs_rename",
                                         ["return (int) %d" % -EIO])
        self.assertSavedOnce(self.nfs.url(), "nfs-request", rc, output, self.export)

    # For SMB the connection really breaks: gdb's `shell` SIGKILLs the smbd worker serving
    # kura (a child of our smbd named "smbd", not smbd-notifyd or cleanupd). libsmbclient
    # takes errno from the session's last status, so faking only a return value would not
    # look like a lost connection to kura; a dead worker does.

    def kill_smb_workers(self):
        return ("shell for p in $(ps -o pid= --ppid %d); do "
                "[ \"$(cat /proc/$p/comm)\" = smbd ] && kill -9 $p; done; sleep 0.3" % self.smb.smbd.pid)

    def test_smb_rename_reply_lost(self):
        # cli_rename completes; then the worker dies and the call reports a broken connection.
        rc, output = self.save_under_gdb(self.smb.url(), "smb-reply", "cli_rename",
                                         ["finish", self.kill_smb_workers(),
                                          "set $rax = %#x" % NT_STATUS_CONNECTION_RESET])
        self.assertSavedOnce(self.smb.url(), "smb-reply", rc, output, self.share)

    def test_smb_rename_request_lost(self):
        # The worker dies before cli_rename sends anything.
        rc, output = self.save_under_gdb(self.smb.url(), "smb-request", "cli_rename", [self.kill_smb_workers()])
        self.assertSavedOnce(self.smb.url(), "smb-request", rc, output, self.share)


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
