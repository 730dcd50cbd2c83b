# SPDX-License-Identifier: GPL-3.0-or-later
"""One image name, one writer; and image files nobody else can read.

Two `kura saveparts` of one image name, the second started while the first runs, into
one repository: a local directory, nfs-ganesha (libnfs) and smbd (libsmbclient), real
servers on 127.0.0.1 in a private network namespace (netservers.py). Exactly one save
succeeds; the other is refused with exit 6 naming the holder (host, pid, since); the
image passes checkimage; no partial directory, lock marker or run token is left.

A lock marker written by hand for a pid that no longer runs on this boot is taken over;
one of another machine is refused and left as it was (which also shows that every
backend's create_file refuses an existing name). After a save under umask 000 every file
of the image is 0600 and every directory 0700 (local and NFS; smbd decides on SMB).
KURA_SMB_PASSWORD never reaches a child tool: e2fsck, run by `--fsck` during a save
through SMB, is a wrapper earlier on PATH that records the environment it inherited.
"""

import os
import pwd
import shutil
import stat
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402

MiB = kt.MiB
PASSWORD = "Lock-test-Pw!42"
HOST = os.uname().nodename


def boot_id():
    with open("/proc/sys/kernel/random/boot_id") as f:
        return f.read().strip()


def dead_pid():
    """A pid that no process has any more: a child that exited and was reaped."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def marker_text(host, boot, pid, since="2026-01-02T03:04:05Z", token="feedc0de"):
    return ("kura-image-lock\nhost=%s\nboot=%s\npid=%d\nprocess_start=0\nsince=%s\ntoken=%s\n"
            % (host, boot, pid, since, token))


class ConcurrentSaves(kt.KuraTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Slow enough to race: ~120 MiB of random data, gzip on one thread.
        tree = kt.random_tree(os.path.join(cls.ws, "tree"), 120)
        cls.big = kt.make_ext(os.path.join(cls.ws, "big.img"), 192 * MiB, ["-t", "ext4"], tree)
        small_tree = kt.make_tree(os.path.join(cls.ws, "small"), seed=14, big_mib=3, small_files=40)
        cls.small = kt.make_ext(os.path.join(cls.ws, "small.img"), 24 * MiB, ["-t", "ext4"], small_tree)

        cls.local = os.path.join(cls.ws, "local")
        os.makedirs(cls.local)
        cls.export = os.path.join(cls.ws, "export")
        os.makedirs(cls.export)
        cls.share = os.path.join(cls.ws, "share")
        os.makedirs(cls.share)
        cls.nfs = cls.enterClassContext(ns.nfs_server(os.path.join(cls.ws, "nfs"), cls.export))
        cls.smb = cls.enterClassContext(ns.smb_server(os.path.join(cls.ws, "smb"), cls.share, PASSWORD))
        # (what --repo says, the directory it is on this machine, how kura's messages name it)
        cls.repos = {
            "local": (cls.local, cls.local, cls.local),
            "nfs": (cls.nfs.url("/export"), cls.export, cls.nfs.url("/export", query=False)),
            "smb": (cls.smb.url(), cls.share, cls.smb.url()),
        }

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("KURA_SMB")}
        env["KURA_SMB_PASSWORD"] = PASSWORD
        env.update(extra or {})
        return env

    def kura(self, *args, env=None, umask=None):
        proc = subprocess.run([kt.KURA_BIN, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env or self.env(), timeout=600,
                              preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
        return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")

    def assertClean(self, on_disk, image):
        names = os.listdir(on_disk)
        self.assertNotIn(".kura-partial-" + image, names, "a partial directory was left")
        self.assertNotIn(".kura-lock-" + image, names, "the lock marker was left")
        if image in names:
            self.assertNotIn(".kura-run", os.listdir(os.path.join(on_disk, image)), "the run token was left")

    def put_marker(self, on_disk, image, text):
        path = os.path.join(on_disk, ".kura-lock-" + image)
        with open(path, "w") as f:
            f.write(text)
        if on_disk == self.share:  # smbd works as the share's user, who must be able to remove it
            user = pwd.getpwnam(ns.SMB_USER)
            os.chown(path, user.pw_uid, user.pw_gid)
        return path

    # ----------------------------------------------------------------------------
    def race(self, backend):
        url, on_disk, _ = self.repos[backend]
        image = "race-" + backend
        lock = os.path.join(on_disk, ".kura-lock-" + image)
        args = ["saveparts", "--repo", url, "-z", "gzip", "--threads", "1", "--progress=none", image, self.big]
        first = subprocess.Popen([kt.KURA_BIN, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=self.env())
        try:
            deadline = time.monotonic() + 60
            while not os.path.exists(lock) and first.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertTrue(os.path.exists(lock), "the first save never took its lock")
            time.sleep(1)
            self.assertIsNone(first.poll(), "the first save ended before the second started")
            second = self.kura(*args)
            first_out, first_err = first.communicate(timeout=600)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        first_err = first_err.decode(errors="replace")
        self.assertEqual(first.returncode, 0, "the first save failed:\n" + first_err[-3000:])
        self.assertKura(second, kt.EXIT_REFUSED, "the second save of the same name")
        self.assertIn("image %s is being saved by another kura on this machine (host %s, pid %d, since "
                      % (image, HOST, first.pid), second[2])
        self.assertKura(self.kura("checkimage", "--repo", url, image), 0, "checkimage of the raced image")
        self.assertClean(on_disk, image)

    def test_race_local(self):
        self.race("local")

    def test_race_nfs(self):
        self.race("nfs")

    def test_race_smb(self):
        self.race("smb")

    # ----------------------------------------------------------------------------
    def start_save(self, image, *extra):
        env = self.env({"KURA_CHECKPOINT_BYTES": str(8 * MiB)})
        return subprocess.Popen([kt.KURA_BIN, "saveparts", "--repo", self.local, "-z", "gzip", "--threads", "1",
                                 "--progress=none", *extra, image, self.big],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)

    def wait_for(self, path, proc):
        deadline = time.monotonic() + 120
        while not os.path.exists(path) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(os.path.exists(path), path + " never appeared")

    def test_lock_released_on_interruption_and_taken_over_after_kill_9(self):
        image = "killed"
        lock = os.path.join(self.local, ".kura-lock-" + image)
        partial = os.path.join(self.local, ".kura-partial-" + image)
        # SIGTERM after the first checkpoint: exit 8, the partial image kept, the lock gone.
        save = self.start_save(image)
        self.addCleanup(lambda: save.poll() is None and save.kill())
        self.wait_for(os.path.join(partial, ".kura-resume.a"), save)
        save.terminate()
        out, err = save.communicate(timeout=120)
        self.assertEqual(save.returncode, kt.EXIT_CANCELLED, err.decode(errors="replace")[-2000:])
        self.assertTrue(os.path.isdir(partial), "the interrupted save's partial image was removed")
        self.assertFalse(os.path.exists(lock), "an interrupted save left its lock")
        # kill -9 of the resumed save: nothing can remove the marker then.
        resumed = self.start_save(image, "--resume")
        self.addCleanup(lambda: resumed.poll() is None and resumed.kill())
        self.wait_for(lock, resumed)
        time.sleep(0.5)
        resumed.kill()
        resumed.wait()
        self.assertTrue(os.path.exists(lock), "the killed save's marker is gone")
        # The next --resume finds that pid gone on this boot and takes the lock over.
        rc, out, err = self.kura("saveparts", "--repo", self.local, "-z", "gzip", "--progress=none", "--resume",
                                 image, self.big)
        self.assertKura((rc, out, err), 0, "resume after kill -9")
        self.assertIn("taking over the lock of image %s from a save that is no longer running (host %s, pid %d, "
                      % (image, HOST, resumed.pid), err)
        self.assertKura(self.kura("checkimage", "--repo", self.local, image), 0)
        self.assertClean(self.local, image)

    # ----------------------------------------------------------------------------
    def stale_lock_taken_over(self, backend):
        url, on_disk, _ = self.repos[backend]
        image = "stale-" + backend
        pid = dead_pid()
        self.put_marker(on_disk, image, marker_text(HOST, boot_id(), pid))
        rc, out, err = self.kura("saveparts", "--repo", url, "--progress=none", image, self.small)
        self.assertKura((rc, out, err), 0, "a save over a dead save's lock")
        self.assertIn("taking over the lock of image %s from a save that is no longer running "
                      "(host %s, pid %d, since 2026-01-02T03:04:05Z)" % (image, HOST, pid), err)
        self.assertKura(self.kura("checkimage", "--repo", url, image), 0)
        self.assertClean(on_disk, image)

    def test_stale_lock_taken_over_local(self):
        self.stale_lock_taken_over("local")

    def test_stale_lock_taken_over_nfs(self):
        self.stale_lock_taken_over("nfs")

    def test_stale_lock_taken_over_smb(self):
        self.stale_lock_taken_over("smb")

    # ----------------------------------------------------------------------------
    def other_machines_lock_refused(self, backend):
        url, on_disk, shown = self.repos[backend]
        image = "other-" + backend
        marker = self.put_marker(on_disk, image, marker_text("backup02", "another-boot", 4242))
        before = kt.sha256_file(marker)
        for resume in ((), ("--resume",)):
            rc, out, err = self.kura("saveparts", "--repo", url, "--progress=none", *resume, image, self.small)
            self.assertKura((rc, out, err), kt.EXIT_REFUSED, "a save over another machine's lock " + str(resume))
            self.assertIn("image %s is being saved by kura on another machine (host backup02, pid 4242, "
                          "since 2026-01-02T03:04:05Z; lock %s/.kura-lock-%s)" % (image, shown, image), err)
            self.assertIn("delete %s/.kura-lock-%s and save again" % (shown, image), err)
            self.assertEqual(kt.sha256_file(marker), before, "the marker was changed")
            self.assertNotIn(".kura-partial-" + image, os.listdir(on_disk))
        if backend == "nfs":
            # nfs-ganesha caches directory entries: a marker removed behind its back on the
            # server's disk stays visible to clients for a while (an operator removes it
            # through an NFS client, which ganesha sees).
            return
        os.unlink(marker)  # what the message tells the operator to do
        self.assertKura(self.kura("saveparts", "--repo", url, "--progress=none", image, self.small), 0)
        self.assertClean(on_disk, image)

    def test_other_machines_lock_refused_local(self):
        self.other_machines_lock_refused("local")

    def test_other_machines_lock_refused_nfs(self):
        self.other_machines_lock_refused("nfs")

    def test_other_machines_lock_refused_smb(self):
        self.other_machines_lock_refused("smb")

    # ----------------------------------------------------------------------------
    def owner_only(self, backend):
        url, on_disk, _ = self.repos[backend]
        image = "perm-" + backend
        self.assertKura(self.kura("saveparts", "--repo", url, "--progress=none", "--split", "1MB",
                                  image, self.small, umask=0), 0, "save under umask 000")
        self.assertOwnerOnly(os.path.join(on_disk, image))

    def test_owner_only_permissions_local(self):
        self.owner_only("local")

    def test_owner_only_permissions_nfs(self):
        self.owner_only("nfs")

    def assertOwnerOnly(self, root):
        seen = 0
        for dirpath, dirs, files in os.walk(root):
            mode = stat.S_IMODE(os.lstat(dirpath).st_mode)
            self.assertEqual(mode, 0o700, "%s is %o" % (dirpath, mode))
            for name in files:
                mode = stat.S_IMODE(os.lstat(os.path.join(dirpath, name)).st_mode)
                self.assertEqual(mode, 0o600, "%s/%s is %o" % (dirpath, name, mode))
                seen += 1
        self.assertGreaterEqual(seen, len(kt.IMAGE_META_FILES) + 1, "too few files looked at")

    def test_device_repository(self):
        # ext4 keeps Unix modes: another machine's marker is refused, the image is owner-only.
        dev = self.attach_loop(kt.make_ext(self.path("usb-ext4.img"), 64 * MiB, ["-t", "ext4"]))
        with kt.mounted(dev, self.path("mnt")) as mnt:
            self.put_marker(mnt, "ondev", marker_text("backup02", "another-boot", 4242))
        rc, out, err = self.kura("saveparts", "--repo", "dev:" + dev, "--progress=none", "ondev", self.small)
        self.assertKura((rc, out, err), kt.EXIT_REFUSED, "a save over another machine's lock on dev:")
        self.assertIn("on another machine (host backup02, pid 4242, since 2026-01-02T03:04:05Z", err)
        with kt.mounted(dev, self.path("mnt")) as mnt:
            os.unlink(os.path.join(mnt, ".kura-lock-ondev"))
        self.assertKura(self.kura("saveparts", "--repo", "dev:" + dev, "--progress=none", "ondev", self.small,
                                  umask=0), 0)
        with kt.mounted(dev, self.path("mnt")) as mnt:
            self.assertClean(mnt, "ondev")
            self.assertOwnerOnly(os.path.join(mnt, "ondev"))

    def test_fat_device_repository_mounted_owner_only(self):
        # FAT keeps no modes: kura mounts it with owner-only masks, so it has nothing to
        # chmod (a FAT mounted with the default masks refuses the chmod, and kura would warn).
        with open("/proc/filesystems") as f:
            if "\tvfat\n" not in f.read():
                self.skipTest("the running kernel has no vfat (not in /proc/filesystems)")
        fat = kt.zeroed_file(self.path("usb-vfat.img"), 64 * MiB)
        kt.run(["mkfs.vfat", fat])
        dev = self.attach_loop(fat)
        rc, out, err = self.kura("saveparts", "--repo", "dev:" + dev, "--progress=none", "onfat", self.small, umask=0)
        self.assertKura((rc, out, err), 0, "save to a FAT dev: repository")
        self.assertNotIn("keeps no Unix permissions", err)
        self.assertKura(self.kura("checkimage", "--repo", "dev:" + dev, "onfat"), 0)

    # ----------------------------------------------------------------------------
    def test_smb_password_not_inherited_by_child_tools(self):
        url, on_disk, _ = self.repos["smb"]
        wrappers = self.path("bin")
        os.mkdir(wrappers)
        dump = self.path("e2fsck.environ")
        parent_dump = self.path("kura.environ")
        real = shutil.which("e2fsck")
        with open(os.path.join(wrappers, "e2fsck"), "w") as f:
            f.write("#!/bin/sh\n"
                    "cat /proc/$$/environ > %s\n"
                    "cat /proc/$PPID/environ > %s\n"
                    'exec %s "$@"\n' % (dump, parent_dump, real))
        os.chmod(os.path.join(wrappers, "e2fsck"), 0o755)
        source = self.path("fsck-src.img")
        shutil.copyfile(self.small, source)
        env = self.env({"PATH": wrappers + ":" + os.environ["PATH"], "KURA_TEST_INHERITED": "yes"})
        rc, out, err = self.kura("saveparts", "--repo", url, "--progress=none", "--fsck", "fsck-img", source,
                                 env=env)
        self.assertKura((rc, out, err), 0, "save through SMB with --fsck")
        self.assertTrue(os.path.exists(dump), "kura did not run the e2fsck on PATH")
        with open(dump, "rb") as f:
            child = f.read().split(b"\0")
        self.assertIn(b"KURA_TEST_INHERITED=yes", child, "the dump is not the inherited environment")
        self.assertFalse([v for v in child if v.startswith(b"KURA_SMB_PASSWORD")], "e2fsck inherited the password")
        for path in (dump, parent_dump):
            with open(path, "rb") as f:
                self.assertNotIn(PASSWORD.encode(), f.read(), path + " shows the password")
        self.assertKura(self.kura("checkimage", "--repo", url, "fsck-img"), 0)


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
