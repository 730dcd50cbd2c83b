# SPDX-License-Identifier: GPL-3.0-or-later
"""Network repositories that cannot work must fail fast, with a message naming the cause.

Wrong SMB password, missing share or export, nothing listening, permission denied, no
password at all, a password in the URL: each gets kura's documented exit code and a clear
message within seconds, nothing is left behind, and the SMB password appears nowhere.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402

MiB = kt.MiB
PASSWORD = "Errors-Pw-0815"
WRONG_PASSWORD = "Not-The-Pw-4711"
FAST = 10  # seconds: "within seconds"


class RepoErrors(kt.KuraTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.export = os.path.join(cls.ws, "export")
        cls.squashed = os.path.join(cls.ws, "squashed")
        cls.share = os.path.join(cls.ws, "share")
        for d in (cls.export, cls.squashed, cls.share):
            os.makedirs(d)
        os.chmod(cls.squashed, 0o755)  # root's, and root is squashed: nobody may write
        cls.nfs = cls.enterClassContext(ns.nfs_server(
            os.path.join(cls.ws, "nfs"), cls.export,
            extra_exports=[(2, cls.squashed, "/squashed", "Root_Squash")]))
        cls.smb = cls.enterClassContext(ns.smb_server(os.path.join(cls.ws, "smb"), cls.share, PASSWORD))
        cls.src = kt.make_ext(os.path.join(cls.ws, "src.img"), 16 * MiB, ["-t", "ext4"])

    def kura(self, *args, password=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("KURA_SMB")}
        if password is not None:
            env["KURA_SMB_PASSWORD"] = password
        start = time.monotonic()
        proc = kt.run([kt.KURA_BIN, *args], check=False, env=env, timeout=120)
        took = time.monotonic() - start
        for secret in (PASSWORD, WRONG_PASSWORD):
            self.assertNotIn(secret, proc.stdout + proc.stderr)
        return proc.returncode, proc.stdout, proc.stderr, took

    def assertFails(self, args, rc, message, password=None):
        got_rc, out, err, took = self.kura(*args, password=password)
        self.assertEqual(got_rc, rc, kt.describe(got_rc, out, err))
        self.assertIn(message, err, kt.describe(got_rc, out, err))
        self.assertLess(took, FAST, "took %.1f s to fail" % took)
        print("\n    rc %d after %.1f s: %s" % (got_rc, took, err.strip().splitlines()[-1]))
        return err

    def save(self, url):
        return ["saveparts", "--repo", url, "--progress=none", "img", self.src]

    def tearDown(self):
        for root in (self.export, self.squashed, self.share):
            self.assertEqual(os.listdir(root), [], "a failed run left something in " + root)
            self.assertEqual(kt.run(["grep", "-rlF", PASSWORD, root], check=False).stdout, "")

    # ---------------------------------------------------------------- SMB

    def test_smb_wrong_password(self):
        self.assertFails(self.save(self.smb.url()), kt.EXIT_IO,
                         "access denied for user " + ns.SMB_USER, password=WRONG_PASSWORD)

    def test_smb_missing_share(self):
        self.assertFails(self.save(self.smb.url("nosuchshare")), kt.EXIT_NOT_FOUND,
                         "no such share or directory", password=PASSWORD)

    def test_smb_unreachable_server(self):
        url = "smb://%s@127.0.0.1:%d/backup" % (ns.SMB_USER, ns.SMB_PORT + 1)
        self.assertFails(self.save(url), kt.EXIT_IO, "cannot reach the SMB server", password=PASSWORD)

    def test_smb_permission_denied_on_read_only_share(self):
        self.assertFails(self.save(self.smb.url("readonly")), kt.EXIT_IO, "access denied", password=PASSWORD)

    def test_smb_no_password_and_no_terminal(self):
        err = self.assertFails(self.save(self.smb.url()), kt.EXIT_USAGE, "KURA_SMB_PASSWORD")
        self.assertIn("no SMB password for " + ns.SMB_USER, err)

    def test_smb_password_in_url_refused(self):
        url = "smb://%s:%s@127.0.0.1:%d/backup" % (ns.SMB_USER, PASSWORD, ns.SMB_PORT)
        rc, out, err, _ = self.kura(*self.save(url))
        self.assertEqual(rc, kt.EXIT_USAGE, kt.describe(rc, out, err))
        self.assertIn("a password in an smb:// URL is not accepted", err)

    # ---------------------------------------------------------------- NFS

    def test_nfs_missing_export(self):
        self.assertFails(self.save(self.nfs.url("/nosuchexport")), kt.EXIT_NOT_FOUND,
                         "the server refused export /nosuchexport")

    def test_nfs_unreachable_server(self):
        url = "nfs://127.0.0.1:%d/export?mountport=%d" % (ns.NFS_PORT + 7, ns.MOUNT_PORT + 7)
        self.assertFails(self.save(url), kt.EXIT_IO, "the NFS server does not answer")

    def test_nfs_permission_denied_with_root_squash(self):
        self.assertFails(self.save(self.nfs.url("/squashed")), kt.EXIT_IO, "permission denied by the NFS server")

    # ---------------------------------------------------------------- NFSv4 (kernel mount)

    def nfs4_mounts(self):
        with open("/proc/self/mountinfo") as f:
            return [line for line in f if " /run/kura/repo-nfs4" in line]

    def test_nfs4_malformed_location_is_refused_before_mounting(self):
        before = self.nfs4_mounts()
        self.assertFails(self.save("nfs4://127.0.0.1:x/export"), kt.EXIT_USAGE,
                         "nfs4://127.0.0.1:x/export: the port after the server must be a number")
        self.assertFails(self.save("nfs4://127.0.0.1/export?vers=4.2"), kt.EXIT_USAGE,
                         "nfs4://127.0.0.1/export?vers=4.2: nfs4:// takes no ?options")
        self.assertEqual(self.nfs4_mounts(), before)

    def test_nfs4_mount_that_fails_says_what_and_leaves_nothing_mounted(self):
        """Nothing serves NFSv4 on this port (and this kernel may have no NFS client at
        all): mount.nfs fails at its one attempt, kura says what it tried."""
        before = self.nfs4_mounts()
        url = "nfs4://127.0.0.1:%d/export" % (ns.NFS_PORT + 9)
        src_sum = kt.sha256_file(self.src)
        self.assertFails(self.save(url), kt.EXIT_IO,
                         "cannot mount %s (export /export on server 127.0.0.1, NFSv4 through the kernel): " % url)
        self.assertEqual(self.nfs4_mounts(), before)
        self.assertEqual(kt.sha256_file(self.src), src_sum)

    def test_unknown_scheme(self):
        self.assertFails(self.save("ftp://127.0.0.1/x"), kt.EXIT_USAGE, "unknown repository scheme")


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
