# SPDX-License-Identifier: GPL-3.0-or-later
"""The export or share fills up during a save: kura must stop with exit 7 and say that the
repository is full, leave nothing that list-images would offer for restore, and leave the
earlier image in the same repository intact (it verifies and restores byte-identically).

Behind each server is a small ext4 (48 MiB, in an image file loop-mounted by the test
inside its private mount namespace), so the server itself runs out of space: nfs-ganesha
answers WRITE with NFS3ERR_NOSPC, smbd answers with NT_STATUS_DISK_FULL, and the
test checks what kura makes of that, not a simulated error. The local-directory variant
of the same requirement is test_repositories.py's test_free_space_warning_and_full_repository.
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402

MiB = kt.MiB
PASSWORD = "Full-Share-Pw-77"
REPO_FS = 48 * MiB


def images(out):
    return {image["name"]: image for image in json.loads(out)["images"]}


class FullRepository(kt.KuraTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        small_tree = os.path.join(cls.ws, "small-tree")
        kt.make_tree(small_tree, seed=21, big_mib=3, small_files=40)
        cls.small = kt.make_ext(os.path.join(cls.ws, "small.img"), 16 * MiB, ["-t", "ext4"], small_tree)
        # 60 MiB of random data cannot fit into what is left of 48 MiB, whatever the
        # compression does with it.
        big_tree = kt.random_tree(os.path.join(cls.ws, "big-tree"), 60)
        cls.big = kt.make_ext(os.path.join(cls.ws, "big.img"), 96 * MiB, ["-t", "ext4"], big_tree)

    def small_filesystem(self):
        """A fresh 48 MiB ext4, loop-mounted; unmounted and detached at cleanup (the
        servers started afterwards are stopped first: cleanups run last-in first-out)."""
        backing = kt.make_ext(self.path("repo-fs.img"), REPO_FS, ["-t", "ext4", "-m", "0"])
        return self.mount(self.attach_loop(backing), self.path("repo-fs"))

    def kura(self, *args, env=None):
        proc = kt.run([kt.KURA_BIN, *args], check=False, env=env, timeout=600)
        if env and "KURA_SMB_PASSWORD" in env:
            self.assertNotIn(PASSWORD, proc.stdout + proc.stderr)
        return proc.returncode, proc.stdout, proc.stderr

    def fill_up(self, url, server_dir, env):
        """The common scenario: one image that fits, then one that does not."""
        self.assertKura(self.kura("saveparts", "--repo", url, "--progress=none", "earlier", self.small, env=env),
                        kt.EXIT_OK, "the first, small save must fit")
        earlier = kt.dir_digest(os.path.join(server_dir, "earlier"))

        rc, out, err = self.kura("saveparts", "--repo", url, "--progress=none", "toolarge", self.big, env=env)
        self.assertEqual(rc, kt.EXIT_IO, kt.describe(rc, out, err))
        self.assertIn("the repository is full", err)
        print("\n    rc %d: %s" % (rc, err.strip().splitlines()[-1]))

        # Nothing is offered for restore but the earlier image.
        rc, out, err = self.kura("list-images", "--repo", url, "--json", env=env)
        self.assertEqual(rc, kt.EXIT_OK, kt.describe(rc, out, err))
        listed = images(out)
        self.assertEqual([n for n, i in listed.items() if i["restorable"]], ["earlier"], out)
        for name, image in listed.items():
            if name != "earlier":  # only if its removal failed: then it must say so
                self.assertEqual(image["state"], "incomplete", out)
        self.assertEqual(sorted(n for n in os.listdir(server_dir) if n != "lost+found"), ["earlier"],
                         "the partial image must be removed")

        # The earlier image is untouched, verifies, and restores exactly.
        self.assertEqual(kt.dir_digest(os.path.join(server_dir, "earlier")), earlier, "an earlier image changed")
        self.assertKura(self.kura("checkimage", "--repo", url, "--progress=none", "earlier", env=env), kt.EXIT_OK)
        target = kt.zeroed_file(self.path("target.img"), 16 * MiB)
        self.assertKura(self.kura("restoreparts", "--repo", url, "--yes", "--progress=none", "earlier", target,
                                  env=env), kt.EXIT_OK)
        self.assertSameBytes(self.small, target)

    def test_nfs_export_fills_up(self):
        export = self.small_filesystem()
        server = self.enterContext(ns.nfs_server(self.path("nfs"), export))
        self.fill_up(server.url(), export, dict(os.environ))

    def test_smb_share_fills_up(self):
        share = os.path.join(self.small_filesystem(), "share")
        os.makedirs(share)
        server = self.enterContext(ns.smb_server(self.path("smb"), share, PASSWORD))
        env = {k: v for k, v in os.environ.items() if not k.startswith("KURA_SMB")}
        env["KURA_SMB_PASSWORD"] = PASSWORD
        self.fill_up(server.url(), share, env)


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
