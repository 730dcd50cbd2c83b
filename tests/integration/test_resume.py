# SPDX-License-Identifier: GPL-3.0-or-later
"""`kura saveparts --resume`: a save killed with SIGKILL (as by a crash or a power cut)
continues from its last checkpoint, also after a second kill, locally and through a real
NFS server, and the image it ends with is as good as an uninterrupted one: `kura
checkimage` passes, it restores byte-identically (same files, fsck clean), its
decompressed stream - through the real `zstd -dc` / `gzip -dc` - is byte for byte the
stream of an uninterrupted save, and Debian's partclone.restore restores it too.
Meanwhile the interrupted image is never offered for restore. A resume with nothing to
resume and a resume onto a source that changed in between are refused, the latter
leaving the partial image as it was. (SMB gets the kill-and-resume case too: its data
piece is reopened and cut back through libsmbclient.)

The volume holds about 150 MiB; KURA_CHECKPOINT_BYTES (documented as a test knob) makes
kura checkpoint every 2 MiB of compressed output (or 32 MiB of input) instead of 64 MiB, so kills land after
several checkpoints of a small volume. Kills are timed by watching the journal's
sequence number grow, not by sleeping.
"""

import json
import os
import zlib
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402

MiB = kt.MiB
VOLUME = 256 * MiB
CHECKPOINT = 2 * MiB
SPLIT = "20MB"
ENV = dict(os.environ, KURA_CHECKPOINT_BYTES=str(CHECKPOINT))
JOURNALS = (".kura-resume.a", ".kura-resume.b")


def journal_sequence(partial_dir):
    """The highest sequence number in the journal copies (0 when there are none yet)."""
    best = 0
    for name in JOURNALS:
        try:
            with open(os.path.join(partial_dir, name)) as f:
                for line in f:
                    if line.startswith("sequence "):
                        best = max(best, int(line.split()[1]))
        except (OSError, ValueError):
            pass
    return best


def run_and_kill(args, partial_dir, checkpoints, env=ENV):
    """Runs kura; SIGKILLs it once `checkpoints` more journal writes happened.
    Returns (killed, rc, stdout, stderr)."""
    first = journal_sequence(partial_dir)
    proc = subprocess.Popen([kt.KURA_BIN, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    killed = False
    deadline = time.monotonic() + 180
    while proc.poll() is None and time.monotonic() < deadline:
        if journal_sequence(partial_dir) >= first + checkpoints:
            proc.kill()
            killed = True
            break
        time.sleep(0.005)
    out, err = proc.communicate(timeout=120)
    return killed, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def run_kura_env(*args, env=ENV):
    proc = kt.run([kt.KURA_BIN, *args], check=False, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def stream_sha256(pieces, suffix):
    """SHA-256 of the decompressed stream, decompressed by the real tool."""
    return kt.run_shell("%s | sha256sum" % kt.stream_cmd(pieces, suffix)).stdout.split()[0]


def gzip_members(pieces):
    """Members in the concatenated gzip pieces, inflated one after another."""
    data = b""
    for p in pieces:
        with open(p, "rb") as f:
            data += f.read()
    members = 0
    while data:
        d = zlib.decompressobj(16 + 15)
        d.decompress(data)
        if not d.eof:
            raise AssertionError("a gzip member does not end")
        data = d.unused_data
        members += 1
    return members


def show(err, *markers):
    """Prints kura's lines that carry one of the markers: evidence in the test log."""
    for line in err.splitlines():
        if any(m in line for m in markers):
            print("   ", line)


def zstd_frames(pieces, scratch):
    joined = os.path.join(scratch, "joined.zst")
    kt.run_shell("cat %s > %s" % (" ".join(pieces), joined))
    listing = kt.run(["zstd", "-l", joined]).stdout.splitlines()
    os.unlink(joined)
    return int(listing[1].split()[0])


class ResumeCase(kt.KuraTestCase):
    """Shared: the source volume and what an uninterrupted save's stream looks like."""

    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("partclone.restore", "zstd", "gzip")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=515, big_mib=30, small_files=300)
        with open(os.path.join(tree, "big", "bulk.bin"), "wb") as f:
            for _ in range(15):
                f.write(os.urandom(8 * MiB))
        cls.src = kt.make_ext(os.path.join(cls.ws, "src.img"), VOLUME, ["-t", "ext4"], tree)
        shutil.rmtree(tree)
        cls.src_snapshot = kt.fs_snapshot(cls.src, cls.ws)
        # An uninterrupted save without checkpoints: the stream every resumed image must hold.
        repo = os.path.join(cls.ws, "reference")
        os.mkdir(repo)
        rc, out, err = run_kura_env("saveparts", "--repo", repo, "--progress=none", "--split", SPLIT,
                                    "--no-verify", "img", cls.src,
                                    env=dict(os.environ, KURA_CHECKPOINT_BYTES="0"))
        if rc != 0:
            raise AssertionError(kt.describe(rc, out, err))
        imgdir = os.path.join(repo, "img")
        cls.reference_stream = stream_sha256(
            [os.path.join(imgdir, f) for f in kt.data_files(imgdir, "src.img")], "zst")
        shutil.rmtree(repo)

    def save_args(self, repo, *extra):
        return ["saveparts", "--repo", repo, "--progress=none", "--split", SPLIT, *extra, "img", self.src]

    def assertKilledMidSave(self, result, what):
        killed, rc, out, err = result
        self.assertTrue(killed, "%s ended before it could be killed\n%s" % (what, kt.describe(rc, out, err)))
        self.assertEqual(rc, -9, what)

    def assertNotRestorable(self, repo):
        rc, out, err = run_kura_env("list-images", "--repo", repo, "--json")
        self.assertEqual(rc, 0, err)
        images = {i["name"]: i for i in json.loads(out)["images"]}
        self.assertEqual(images["img"]["state"], "incomplete")
        self.assertFalse(images["img"]["restorable"])
        self.assertTrue(images["img"]["resumable"])
        rc, out, err = run_kura_env("list-images", "--repo", repo)
        self.assertRegex(out, r"img\s+\S+\s+.*resumable")
        target = kt.zeroed_file(self.path("never-written.img"), VOLUME)
        rc, out, err = run_kura_env("restoreparts", "--repo", repo, "--yes", "--progress=none", "img", target)
        self.assertEqual(rc, kt.EXIT_NOT_FOUND, kt.describe(rc, out, err))
        self.assertIn("no image named img", err)
        self.assertEqual(kt.first_difference(target, kt.zeroed_file(self.path("zero.img"), VOLUME)), None)
        rc, out, err = run_kura_env("checkimage", "--repo", repo, "img")
        self.assertEqual(rc, kt.EXIT_NOT_FOUND, kt.describe(rc, out, err))

    def assertImageGood(self, repo, imgdir, suffix, min_frames=2):
        """checkimage, restore by kura and by partclone, the stream through the real tools."""
        self.assertKura(run_kura_env("checkimage", "--repo", repo, "img"), 0, "checkimage of the resumed image")
        self.assertEqual(sorted(f for f in os.listdir(imgdir) if f.startswith(".")), [],
                         "the journal must not stay in a finished image")
        pieces = [os.path.join(imgdir, f) for f in kt.data_files(imgdir, "src.img")]
        self.assertGreater(len(pieces), 2)
        self.assertEqual(stream_sha256(pieces, suffix), self.reference_stream,
                         "the resumed image's stream differs from an uninterrupted save's")
        frames = zstd_frames(pieces, self.tmp) if suffix == "zst" else gzip_members(pieces)
        self.assertGreaterEqual(frames, min_frames, "a resumed image holds several frames/members")
        print("    %d %s in the resumed stream" % (frames, "zstd frames" if suffix == "zst" else "gzip members"))

        target = kt.zeroed_file(self.path("target.img"), VOLUME)
        self.assertKura(run_kura_env("restoreparts", "--repo", repo, "--yes", "--progress=none", "img", target), 0)
        self.assertSameBytes(self.src, target)
        clean, log = kt.fsck_clean(target)
        self.assertTrue(clean, log)
        self.assertEqual(kt.snapshot_differences(self.src_snapshot, kt.fs_snapshot(target, self.tmp)), [])

        by_partclone = kt.zeroed_file(self.path("partclone-target.img"), VOLUME)
        r = kt.partclone_restore(pieces, suffix, by_partclone, self.path("partclone.log"))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertSameBytes(self.src, by_partclone)


class ResumeLocal(ResumeCase):

    def test_killed_twice_then_resumed_zstd(self):
        repo = self.new_repo()
        partial = os.path.join(repo, ".kura-partial-img")
        self.assertKilledMidSave(run_and_kill(self.save_args(repo), partial, 3), "the first save")
        self.assertTrue(os.path.isdir(partial), "SIGKILL must leave the partial image")
        print("    killed after journal write %d" % journal_sequence(partial))
        self.assertNotRestorable(repo)

        killed = run_and_kill(self.save_args(repo, "--resume"), partial, 3)
        self.assertKilledMidSave(killed, "the resumed save")
        self.assertIn("continuing %s (src.img) from its last checkpoint" % self.src, killed[3])
        show(killed[3], "continuing")
        print("    killed again after journal write %d" % journal_sequence(partial))
        self.assertNotRestorable(repo)

        rc, out, err = run_kura_env(*self.save_args(repo, "--resume", "--progress=json"))
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("verified", out)
        self.assertIn("resuming the interrupted save of img", err)
        show(err, "resuming", "continuing")
        # The progress line starts where the earlier runs stopped, not at zero.
        first = json.loads(next(l for l in err.splitlines() if '"event":"progress"' in l))
        self.assertGreater(first["done_bytes"], 2 * CHECKPOINT)
        self.assertLess(first["done_bytes"], first["total_bytes"])
        self.assertFalse(os.path.exists(partial))
        imgdir = os.path.join(repo, "img")
        with open(os.path.join(imgdir, "kura-manifest")) as f:
            self.assertIn("resumed 2\n", f.read())
        self.assertImageGood(repo, imgdir, "zst", min_frames=6)

    def test_gzip_killed_and_resumed(self):
        repo = self.new_repo()
        partial = os.path.join(repo, ".kura-partial-img")
        self.assertKilledMidSave(run_and_kill(self.save_args(repo, "-z", "gzip"), partial, 2), "the gzip save")
        rc, out, err = run_kura_env(*self.save_args(repo, "-z", "gzip", "--resume"))
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertImageGood(repo, os.path.join(repo, "img"), "gz")

    def test_resume_with_nothing_to_resume(self):
        repo = self.new_repo()
        rc, out, err = run_kura_env(*self.save_args(repo, "--resume"))
        self.assertEqual(rc, kt.EXIT_USAGE, kt.describe(rc, out, err))
        self.assertIn("no interrupted save of img in %s to resume" % repo, err)
        self.assertEqual(os.listdir(repo), [])

    def test_other_settings_are_refused(self):
        repo = self.new_repo()
        partial = os.path.join(repo, ".kura-partial-img")
        self.assertKilledMidSave(run_and_kill(self.save_args(repo), partial, 2), "the save")
        before = kt.dir_digest(partial)
        rc, out, err = run_kura_env("saveparts", "--repo", repo, "--progress=none", "--split", "30MB", "--resume",
                                    "img", self.src)
        self.assertEqual(rc, kt.EXIT_USAGE, kt.describe(rc, out, err))
        self.assertIn("resume it with the same -z and --split", err)
        self.assertEqual(kt.dir_digest(partial), before)

    def test_source_changed_in_between_is_refused(self):
        src = self.path("changing.img")
        kt.run(["cp", "--sparse=always", self.src, src])
        repo = self.new_repo()
        partial = os.path.join(repo, ".kura-partial-img")
        args = ["saveparts", "--repo", repo, "--progress=none", "--split", SPLIT, "img", src]
        self.assertKilledMidSave(run_and_kill(args, partial, 2), "the save")

        # Someone mounts the volume and writes a file before the operator resumes.
        with kt.loop_device(src) as dev:
            with kt.mounted(dev, self.path("mnt")) as mnt:
                with open(os.path.join(mnt, "written-later.txt"), "w") as f:
                    f.write("changed after the save was interrupted\n" * 1000)
        before = kt.dir_digest(partial)
        rc, out, err = run_kura_env(*args, "--resume")
        self.assertEqual(rc, kt.EXIT_UNSUPPORTED, kt.describe(rc, out, err))
        self.assertIn("%s changed since the interrupted save of img" % src, err)
        self.assertIn("its used blocks changed", err)
        self.assertIn("start a new save without --resume", err)
        show(err, "changed since")
        self.assertEqual(kt.dir_digest(partial), before, "a refused resume must leave the partial image as it was")

        # Starting over works, and says it discards the interrupted save.
        rc, out, err = run_kura_env(*args)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("discarding the interrupted save of img", err)
        self.assertFalse(os.path.exists(partial))


class ResumeNfs(ResumeCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.export = os.path.join(cls.ws, "export")
        os.makedirs(cls.export)
        cls.server = cls.enterClassContext(ns.nfs_server(os.path.join(cls.ws, "nfs"), cls.export))

    def test_killed_and_resumed_through_nfs(self):
        url = self.server.url()
        partial = os.path.join(self.export, ".kura-partial-img")
        self.assertKilledMidSave(run_and_kill(self.save_args(url), partial, 3), "the save over NFS")
        self.assertNotRestorable(url)
        rc, out, err = run_kura_env(*self.save_args(url, "--resume"))
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("verified", out)
        # Checked over NFS, and as the directory that landed on the server.
        self.assertImageGood(url, os.path.join(self.export, "img"), "zst")
        self.assertKura(run_kura_env("checkimage", "--repo", self.export, "img"), 0)


class ResumeSmb(ResumeCase):
    """The same through smbd: a data piece reopened and cut back with libsmbclient."""

    PASSWORD = "Resume-Pw-7"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.share = os.path.join(cls.ws, "share")
        os.makedirs(cls.share)
        cls.server = cls.enterClassContext(ns.smb_server(os.path.join(cls.ws, "smb"), cls.share, cls.PASSWORD))

    def test_killed_and_resumed_through_smb(self):
        url = self.server.url()
        env = dict(ENV, KURA_SMB_PASSWORD=self.PASSWORD)
        partial = os.path.join(self.share, ".kura-partial-img")
        self.assertKilledMidSave(run_and_kill(self.save_args(url), partial, 3, env=env), "the save over SMB")
        rc, out, err = run_kura_env(*self.save_args(url, "--resume"), env=env)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("verified", out)
        self.assertNotIn(self.PASSWORD, out + err)
        self.assertKura(run_kura_env("checkimage", "--repo", url, "img", env=env), 0, "checkimage over SMB")
        self.assertImageGood(self.share, os.path.join(self.share, "img"), "zst")


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
