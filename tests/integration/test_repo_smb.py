# SPDX-License-Identifier: GPL-3.0-or-later
"""Save, check and restore an ext4 through an smb:// repository (libsmbclient, SMB2/3).

The server is a real smbd on 127.0.0.1:4450 inside a private network namespace (see
netservers.py). The password reaches kura through KURA_SMB_PASSWORD, an smbclient-style
credentials file, or the prompt on kura's terminal (a pseudo-terminal here), and must not
appear in anything kura prints or writes.
"""

import os
import pty
import select
import sys
import termios
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402

MiB = kt.MiB
PASSWORD = "Sm8-roundtrip-Pw!"


def kura(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KURA_SMB")}
    env.update(env_extra or {})
    proc = kt.run([kt.KURA_BIN, *args], check=False, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def files_containing(root, needle):
    hits = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as f:
                if needle.encode() in f.read():
                    hits.append(os.path.join(dirpath, name))
    return hits


class SmbRepository(kt.KuraTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.share = os.path.join(cls.ws, "share")
        os.makedirs(cls.share)
        cls.server = cls.enterClassContext(ns.smb_server(os.path.join(cls.ws, "smb"), cls.share, PASSWORD))
        tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=7, big_mib=6, small_files=120)
        cls.src = kt.make_ext(os.path.join(cls.ws, "src.img"), 64 * MiB, ["-t", "ext4"], tree)

    def roundtrip(self, url, name, env_extra=None, extra=()):
        outputs = []

        def step(*args):
            rc, out, err = kura(*args, *extra, env_extra=env_extra)
            outputs.append(out + err)
            return rc, out, err

        self.assertKura(step("saveparts", "--repo", url, "--progress=none", "--split", "1MB",
                             name, self.src), 0, "saveparts over SMB failed")
        on_server = os.path.join(self.share, name)
        for meta in kt.IMAGE_META_FILES:
            self.assertTrue(os.path.isfile(os.path.join(on_server, meta)), meta + " not on the share")
        self.assertKura(step("checkimage", "--repo", url, name), 0, "checkimage over SMB")
        self.assertKura(kt.run_kura("checkimage", "--repo", self.share, name), 0,
                        "checkimage of the shared directory")
        target = kt.zeroed_file(self.path("target.img"), 64 * MiB)
        self.assertKura(step("restoreparts", "--repo", url, "--yes", "--progress=none", name, target),
                        0, "restoreparts over SMB failed")
        self.assertSameBytes(self.src, target)
        # The password is nowhere: not in the image, its log or manifest, nor in kura's output.
        self.assertEqual(files_containing(on_server, PASSWORD), [])
        for text in outputs:
            self.assertNotIn(PASSWORD, text)
        with open(os.path.join(on_server, "Info-saved-by-cmd.txt")) as f:
            self.assertIn(url, f.read())

    def test_password_from_environment(self):
        self.roundtrip(self.server.url(), "img-env", {"KURA_SMB_PASSWORD": PASSWORD})

    def test_credentials_file_and_subdirectory(self):
        os.makedirs(os.path.join(self.share, "images"), exist_ok=True)
        os.chown(os.path.join(self.share, "images"), *[os.stat(self.share).st_uid, os.stat(self.share).st_gid])
        creds = self.path("creds")
        with open(creds, "w") as f:
            f.write("# smbclient format\nusername = %s\npassword = %s\ndomain = WORKGROUP\n" % (ns.SMB_USER, PASSWORD))
        os.chmod(creds, 0o600)
        url = "smb://127.0.0.1:%d/backup/images" % ns.SMB_PORT  # the user comes from the file
        self.share_root = self.share
        self.share = os.path.join(self.share, "images")
        try:
            self.roundtrip(url, "img-file", extra=("--smb-credentials", creds))
        finally:
            self.share = self.share_root

    def test_password_typed_at_the_terminal_prompt(self):
        """No password in the environment or a file: kura asks on its terminal (here a
        pseudo-terminal, as an operator's console would be), the typed password is not
        echoed, the save works, and the password is in nothing kura printed or wrote."""
        name = "img-tty"
        env = {k: v for k, v in os.environ.items() if not k.startswith("KURA_SMB")}
        argv = [kt.KURA_BIN, "saveparts", "--repo", self.server.url(), "--progress=none", "--split", "1MB",
                name, self.src]
        pid, master = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal and stdio
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        transcript = b""

        def read_until(done, timeout):
            nonlocal transcript
            deadline = time.monotonic() + timeout
            while not done() and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:  # EIO: kura exited and closed the terminal
                        return
                    if not chunk:
                        return
                    transcript += chunk

        try:
            prompt = ("SMB password for %s on %s: " % (ns.SMB_USER, self.server.url())).encode()
            read_until(lambda: prompt in transcript, 30)
            self.assertIn(prompt, transcript, "no prompt on the terminal")
            # Echo is off while kura waits for the password (it turns it off before
            # printing the prompt), so what is typed now is not shown.
            self.assertFalse(termios.tcgetattr(master)[3] & termios.ECHO, "echo is on at the prompt")
            os.write(master, PASSWORD.encode() + b"\r")  # Enter sends CR; the tty makes it NL
            read_until(lambda: False, 300)
            _, status = os.waitpid(pid, 0)
            pid = 0
        finally:
            if pid:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            echo_restored = termios.tcgetattr(master)[3] & termios.ECHO
            os.close(master)
        text = transcript.decode(errors="replace")
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, text)
        self.assertTrue(echo_restored, "kura left the terminal without echo")
        self.assertNotIn(PASSWORD, text, "the password was echoed or printed")
        self.assertIn("verified", text)
        print("\n    terminal: " + " | ".join(line for line in text.splitlines() if line.strip())[:300])
        on_server = os.path.join(self.share, name)
        self.assertEqual(files_containing(on_server, PASSWORD), [])
        self.assertKura(kt.run_kura("checkimage", "--repo", self.share, name), 0, "checkimage of the shared directory")

    def test_protocol_choice(self):
        """?protocol=SMB3 works against a server that speaks 2.1-3.1.1; the query is not in
        kura's messages (only in Info-saved-by-cmd.txt, the command as typed); bad values
        and unknown options are usage errors before any connection."""
        url = self.server.url() + "?protocol=SMB3"
        env = {"KURA_SMB_PASSWORD": PASSWORD}
        self.roundtrip(url, "img-smb3", env)
        rc, out, err = kura("list-images", "--repo", url, env_extra=env)
        self.assertEqual(rc, 0, err)
        self.assertIn("img-smb3", out)
        self.assertNotIn("protocol", out + err)
        for query, named in (("?protocol=SMB1", "protocol=SMB1"), ("?protocol=", "protocol="),
                             ("?vers=3", "'vers'")):
            rc, out, err = kura("list-images", "--repo", self.server.url() + query, env_extra=env)
            self.assertEqual(rc, kt.EXIT_USAGE, query + ": " + err)
            self.assertIn(named, err)

    def test_help_names_the_password_sources(self):
        rc, out, err = kura("help")
        self.assertEqual(rc, 0, err)
        for text in ("--smb-credentials FILE", "KURA_SMB_PASSWORD", "smb://[domain;]user@server[:port]/share"):
            self.assertIn(text, out)


class SmbProtocolRange(kt.KuraTestCase):
    """Against a server that speaks only SMB 2.0.2-2.1, ?protocol=SMB3 cannot connect
    (exit 7, said when the repository is opened) and ?protocol=SMB2 can: the choice really
    reaches libsmbclient's negotiation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.share = os.path.join(cls.ws, "share")
        os.makedirs(cls.share)
        cls.server = cls.enterClassContext(ns.smb_server(os.path.join(cls.ws, "smb"), cls.share, PASSWORD,
                                                         "server max protocol = SMB2_10\n"
                                                         "server min protocol = SMB2_02"))

    def test_smb2_only_server(self):
        env = {"KURA_SMB_PASSWORD": PASSWORD}
        started = time.monotonic()
        rc, out, err = kura("list-images", "--repo", self.server.url() + "?protocol=SMB3", env_extra=env)
        took = time.monotonic() - started
        self.assertEqual(rc, kt.EXIT_IO, err)
        self.assertIn(self.server.url(), err)
        self.assertNotIn(self.server.url() + "?", err)  # the URL is named without its query
        self.assertIn("speaks none of the SMB dialects offered (SMB3_00 to SMB3_11", err)
        self.assertLess(took, 20, "a refused negotiation should fail fast")
        print("\n    SMB3 against an SMB2-only server (%.1f s): %s" % (took, err.strip()[:200]))
        for url in (self.server.url() + "?protocol=SMB2", self.server.url()):
            rc, out, err = kura("list-images", "--repo", url, env_extra=env)
            self.assertEqual(rc, 0, url + ": " + err)


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
