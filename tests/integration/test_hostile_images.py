# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile image directories: an image is data from outside, and opening it (OpenedImage)
checks everything it says before a byte is written. Names that lead out of the image, files
that are symlinks or FIFOs, pieces the manifest does not list or that do not run on from
.aa, oversize metadata files and a garbage partition table are each refused with exit 4 and
a message naming the image's file - and nothing about any file outside the image. Every
target (a loop device for restoredisk, a file for restoreparts) keeps its sha256; nothing
hangs; list-images lists the good images of a repository that also holds damaged ones."""
import json
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk_images as di  # noqa: E402
import kuratest as kt  # noqa: E402
import netservers as ns  # noqa: E402
from kuratest import MiB, run, run_kura  # noqa: E402

EXIT_CORRUPT = kt.EXIT_CORRUPT
HANG_LIMIT = 60  # seconds; a FIFO or /dev/zero that is read would never end
PART = "src.img"  # kura's part name for the source file src.img


def kura(*args, env=None):
    """Runs kura with a deadline: a hostile image must never make it hang."""
    try:
        proc = subprocess.run([kt.KURA_BIN, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=HANG_LIMIT, env=env)
    except subprocess.TimeoutExpired:
        raise AssertionError("kura %s hung for %d s" % (" ".join(args), HANG_LIMIT))
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def make_small_disk(ws):
    """MBR disk: p1 ext4, p2 unformatted random bytes (saved as a dd stream); boot code and
    a 1 MiB post-MBR gap of recognisable bytes."""
    path = kt.zeroed_file(os.path.join(ws, "hd.img"), 40 * MiB)
    run(["sfdisk", "-q", path], input="label: dos\nstart=2048, size=16M, type=83\nsize=4M, type=83\n")
    parts = di.table(path)
    tree = kt.make_tree(os.path.join(ws, "hd-tree"), seed=14, big_mib=2, small_files=30)
    fs = kt.make_ext(os.path.join(ws, "hd-p1.img"), 16 * MiB, ["-t", "ext4"], tree)
    di.copy_into(path, parts[1][0], fs)
    di.write_at(path, parts[2][0] * di.SECTOR, di.random_bytes(2, parts[2][1] * di.SECTOR))
    di.write_at(path, 0, di.random_bytes(446, 446))
    di.write_at(path, di.SECTOR, di.random_bytes(2047, 2047 * di.SECTOR))
    return path


class HostileImageFixture(kt.KuraTestCase):
    """Good images (saveparts of an ext4 in 1 MB pieces, savedisk of a small MBR disk) that
    each test copies and damages, a secret outside every repository, and the checks."""

    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("sfdisk", "zstd")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=1414, big_mib=4, small_files=40)
        cls.src = kt.make_ext(os.path.join(cls.ws, PART), 24 * MiB, ["-t", "ext4"], tree)
        cls.disk = make_small_disk(cls.ws)
        cls.good = os.path.join(cls.ws, "good")
        os.mkdir(cls.good)
        for args in (("saveparts", "--split", "1MB", "parts", cls.src), ("savedisk", "disk", cls.disk)):
            rc, out, err = run_kura(args[0], "--repo", cls.good, "--progress=none", *args[1:])
            assert rc == 0, kt.describe(rc, out, err)
        cls.disk_img = os.path.join(cls.good, "disk")
        names = os.listdir(cls.disk_img)
        cls.disk_name = [n for n in names if n.endswith("-pt.sf")][0][:-len("-pt.sf")]
        cls.dd_piece = [n for n in names if ".dd-ptcl-img" in n][0]
        cls.pieces = kt.data_files(os.path.join(cls.good, "parts"), PART)
        assert len(cls.pieces) >= 3, cls.pieces
        # A secret outside every repository, as /etc/shadow would be.
        cls.secret = os.path.join(cls.ws, "secret")
        with open(cls.secret, "wb") as f:
            f.write(b"SECRET-" + di.random_bytes(7, 505))
        cls.secret_sha = kt.sha256_file(cls.secret)

    # ---- helpers -------------------------------------------------------------------------

    def repo_with(self, *images, name="repo"):
        repo = self.new_repo(name)
        for image in images:
            shutil.copytree(os.path.join(self.good, image), os.path.join(repo, image))
        return repo

    def loop_target(self):
        """A blank disk the size of the saved one, on a loop device; returns (device, file, sha256)."""
        self.targets = getattr(self, "targets", 0) + 1
        backing = kt.zeroed_file(self.path("target-%d.img" % self.targets), os.path.getsize(self.disk))
        with open(backing, "r+b") as f:  # not all zeroes: a write of zeroes must show too
            f.write(b"kura-target-before" * 100)
        return self.attach_loop(backing), backing, kt.sha256_file(backing)

    def file_target(self):
        target = self.path("part-target.img")
        with open(target, "wb") as f:
            f.write(di.random_bytes(3, 1 * MiB))
            f.truncate(os.path.getsize(self.src))
        return target, kt.sha256_file(target)

    def assertRefused(self, result, code, *words, hidden=()):
        rc, out, err = result
        self.assertEqual(rc, code, kt.describe(rc, out, err))
        for w in words:
            self.assertIn(w, err, err)
        for h in (self.secret, "SECRET", *hidden):
            self.assertNotIn(h, err + out, "the message tells something about a file outside the image")
        print("    rc %d: %s" % (rc, err.strip().splitlines()[-1] if err.strip() else ""))
        return err

    def restoredisk(self, repo, device):
        return kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "disk", device)

    def restoreparts(self, repo, target):
        return kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "parts", target)

    def check_disk_refused(self, repo, *words, hidden=()):
        device, backing, before = self.loop_target()
        err = self.assertRefused(self.restoredisk(repo, device), EXIT_CORRUPT, *words, hidden=hidden)
        self.assertEqual(kt.sha256_file(backing), before, "restoredisk wrote to its target")
        self.assertRefused(kura("checkimage", "--repo", repo, "disk"), EXIT_CORRUPT, *words, hidden=hidden)
        return err

    def check_parts_refused(self, repo, *words):
        target, before = self.file_target()
        err = self.assertRefused(self.restoreparts(repo, target), EXIT_CORRUPT, *words)
        self.assertEqual(kt.sha256_file(target), before, "restoreparts wrote to its target")
        self.assertRefused(kura("checkimage", "--repo", repo, "parts"), EXIT_CORRUPT, *words)
        return err

    def symlink_outside(self, image_dir, name, outside=None):
        path = os.path.join(image_dir, name)
        if outside is None:
            outside = self.secret
        os.unlink(path)
        os.symlink(outside, path)



class HostileImages(HostileImageFixture):
    # ---- names ----------------------------------------------------------------------------

    def test_disk_file_naming_a_path_outside(self):
        repo = self.repo_with("disk")
        outside = os.path.join(self.tmp, "x-mbr")
        shutil.copyfile(self.secret, outside)
        with open(os.path.join(repo, "disk", "disk"), "w") as f:
            f.write("../../x\n")
        self.check_disk_refused(repo, "disk/disk: '../../x' is not a disk name")

    def test_parts_naming_a_path_outside(self):
        repo = self.repo_with("parts")
        with open(os.path.join(repo, "parts", "parts"), "w") as f:
            f.write("../x\n")
        self.check_parts_refused(repo, "parts/parts: '../x' is not a partition name")

    def test_manifest_entry_naming_etc_shadow(self):
        repo = self.repo_with("parts")
        manifest = os.path.join(repo, "parts", "kura-manifest")
        with open(manifest) as f:
            text = f.read()
        with open(manifest, "w") as f:
            f.write(text.replace(" %s " % self.pieces[1], " ../../../../etc/shadow ", 1))
        shadow_size = os.stat("/etc/shadow").st_size
        err = self.check_parts_refused(repo, "parts/kura-manifest:", "'../../../../etc/shadow'",
                                       "not one of its data files")
        self.assertNotIn("%d bytes" % shadow_size, err)
        self.assertNotIn(" %d " % shadow_size, err)

    # ---- file types -----------------------------------------------------------------------

    def test_boot_record_symlinked_outside(self):
        repo = self.repo_with("disk")
        self.symlink_outside(os.path.join(repo, "disk"), self.disk_name + "-mbr")
        self.check_disk_refused(repo, "disk/%s-mbr: not a regular file" % self.disk_name)
        self.assertEqual(kt.sha256_file(self.secret), self.secret_sha)

    def test_gap_file_symlinked_outside(self):
        repo = self.repo_with("disk")
        self.symlink_outside(os.path.join(repo, "disk"), self.disk_name + "-hidden-data-after-mbr")
        self.check_disk_refused(repo, "disk/%s-hidden-data-after-mbr: not a regular file" % self.disk_name)

    def test_dd_stream_symlinked_outside(self):
        # The outside file holds exactly the piece's bytes, so size and SHA-256 match the
        # manifest: only the file type stops it.
        repo = self.repo_with("disk")
        image = os.path.join(repo, "disk")
        outside = os.path.join(self.tmp, "dd-copy")
        shutil.copyfile(os.path.join(image, self.dd_piece), outside)
        self.symlink_outside(image, self.dd_piece, outside)
        self.check_disk_refused(repo, "disk/%s: not a regular file" % self.dd_piece, hidden=(outside,))

    def test_dd_stream_symlinked_to_dev_zero(self):
        # Without a manifest (a Clonezilla image) nothing records the piece's size: the file
        # type alone keeps checkimage from reading /dev/zero forever.
        repo = self.repo_with("disk")
        image = os.path.join(repo, "disk")
        os.unlink(os.path.join(image, "kura-manifest"))
        self.symlink_outside(image, self.dd_piece, "/dev/zero")
        self.assertRefused(kura("checkimage", "--repo", repo, "disk"), EXIT_CORRUPT,
                           "disk/%s: not a regular file" % self.dd_piece)
        device, backing, before = self.loop_target()
        self.assertRefused(self.restoredisk(repo, device), EXIT_CORRUPT, "not a regular file")
        self.assertEqual(kt.sha256_file(backing), before)

    def fifo_in_place_of(self, name):
        repo = self.repo_with("parts", "disk")
        path = os.path.join(repo, "parts", name)
        os.unlink(path)
        os.mkfifo(path)
        self.check_parts_refused(repo, "parts/%s: not a regular file" % name)
        rc, out, err = kura("list-images", "--repo", repo, "--json")
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        images = {i["name"]: i for i in json.loads(out)["images"]}
        self.assertEqual(images["parts"]["state"], "damaged")
        self.assertIn("parts/%s: not a regular file" % name, images["parts"]["damage"])
        self.assertEqual(images["disk"]["state"], "complete")

    def test_fifo_as_parts(self):
        self.fifo_in_place_of("parts")

    def test_fifo_as_manifest(self):
        self.fifo_in_place_of("kura-manifest")

    # ---- pieces ---------------------------------------------------------------------------

    def test_extra_piece_beside_the_manifest(self):
        repo = self.repo_with("parts")
        image = os.path.join(repo, "parts")
        last = self.pieces[-1]
        extra = last[:-2] + kt.split_suffixes(len(self.pieces) + 1)[-1]
        shutil.copyfile(os.path.join(image, last), os.path.join(image, extra))
        self.check_parts_refused(repo, "parts/%s: a piece of partition %s that the manifest does not list" %
                                 (extra, PART))

    def test_missing_piece_without_manifest(self):
        repo = self.repo_with("parts")
        image = os.path.join(repo, "parts")
        os.unlink(os.path.join(image, "kura-manifest"))
        os.unlink(os.path.join(image, self.pieces[1]))
        self.check_parts_refused(repo, "split piece %s of partition %s is missing" % (self.pieces[1], PART))

    # ---- memory ---------------------------------------------------------------------------

    def test_oversize_gap_and_boot_record(self):
        repo = self.repo_with("disk")
        image = os.path.join(repo, "disk")
        gap = os.path.join(image, self.disk_name + "-hidden-data-after-mbr")
        self.assertEqual(os.path.getsize(gap), 2047 * 512)
        with open(gap, "ab") as f:
            f.truncate(64 * MiB)  # sparse: the size alone must be refused, before any read
        self.check_disk_refused(repo, "disk/%s-hidden-data-after-mbr: it has %d bytes, more than the %d bytes" %
                                (self.disk_name, 64 * MiB, 2047 * 512))
        repo = self.repo_with("disk", name="repo2")
        with open(os.path.join(repo, "disk", self.disk_name + "-mbr"), "ab") as f:
            f.write(b"\0")
        self.check_disk_refused(repo, "disk/%s-mbr: it has 513 bytes, more than the 512 bytes a boot record" % self.disk_name)

    # ---- partition-table files ------------------------------------------------------------

    def test_garbage_partition_table_dump(self):
        repo = self.repo_with("disk")
        with open(os.path.join(repo, "disk", self.disk_name + "-pt.sf"), "w") as f:
            f.write("label: dos\nunit: sectors\n\nthis is not a partition\n")
        self.check_disk_refused(repo, "disk/%s-pt.sf: " % self.disk_name, "line 4")

    # ---- resume ---------------------------------------------------------------------------

    def test_resume_never_appends_through_a_symlinked_piece(self):
        repo = self.new_repo()
        partial = os.path.join(repo, ".kura-partial-big")
        env = dict(os.environ, KURA_CHECKPOINT_BYTES=str(1 * MiB))
        big_tree = kt.make_tree(self.path("big-tree"), seed=77, big_mib=2, small_files=10)
        with open(os.path.join(big_tree, "random.bin"), "wb") as f:
            f.write(os.urandom(40 * MiB))
        src = kt.make_ext(self.path("big.img"), 64 * MiB, ["-t", "ext4"], big_tree)
        args = [kt.KURA_BIN, "saveparts", "--repo", repo, "--progress=none", "--split", "4MB", "-z", "none",
                "big", src]
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if os.path.isdir(partial) and len([n for n in os.listdir(partial) if "-ptcl-img" in n]) >= 3:
                proc.kill()
                break
            time.sleep(0.005)
        proc.communicate(timeout=60)
        if proc.returncode == 0:
            self.skipTest("the save finished before it could be interrupted")
        # Every piece moves outside the repository; the partial image keeps symlinks to them.
        outside = self.path("outside")
        os.mkdir(outside)
        for name in os.listdir(partial):
            if "-ptcl-img" in name:
                shutil.move(os.path.join(partial, name), os.path.join(outside, name))
                os.symlink(os.path.join(outside, name), os.path.join(partial, name))
        before = kt.dir_digest(outside)
        rc, out, err = kura(*args[1:-2], "--resume", "big", src, env=env)
        self.assertEqual(rc, EXIT_CORRUPT, kt.describe(rc, out, err))
        self.assertIn("not a regular file", err)
        self.assertNotIn(outside, err)
        self.assertEqual(kt.dir_digest(outside), before, "the resume wrote through a symlink")

    # ---- list-images ----------------------------------------------------------------------

    def test_list_images_lists_the_good_among_damaged(self):
        repo = self.repo_with("parts", "disk")
        damaged = {}
        for name, damage in (("fifo-parts", "fifo"), ("bad-manifest", "manifest"), ("disk-dir", "disk"),
                             ("linked-manifest", "link")):
            image = os.path.join(repo, name)
            shutil.copytree(os.path.join(self.good, "disk"), image)
            if damage == "fifo":
                os.unlink(os.path.join(image, "parts"))
                os.mkfifo(os.path.join(image, "parts"))
            elif damage == "manifest":
                with open(os.path.join(image, "kura-manifest"), "a") as f:
                    f.write("file nosuchpart x 1\n")
            elif damage == "disk":
                os.unlink(os.path.join(image, "disk"))
                os.mkdir(os.path.join(image, "disk"))  # unreadable as a file
            else:
                self.symlink_outside(image, "kura-manifest")
            damaged[name] = image
        rc, out, err = kura("list-images", "--repo", repo, "--json")
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        images = {i["name"]: i for i in json.loads(out)["images"]}
        self.assertEqual(images["parts"]["state"], "complete")
        self.assertEqual(images["disk"]["state"], "complete")
        self.assertTrue(images["parts"]["restorable"])
        for name in damaged:
            self.assertEqual(images[name]["state"], "damaged", images[name])
            self.assertFalse(images[name]["restorable"])
            self.assertIn(name + "/", images[name]["damage"])
        self.assertIn("bad-manifest/kura-manifest: ", images["bad-manifest"]["damage"])
        self.assertNotIn(self.secret, out + err)
        # The table says why, too.
        rc, out, err = kura("list-images", "--repo", repo)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("fifo-parts: damaged: fifo-parts/parts: not a regular file", out)


class HostileImagesOverNfs(HostileImageFixture):
    """The same file-type rules through libnfs: a symlink and a FIFO on the export are seen
    as what they are (LOOKUP/GETATTR without following), never read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.export = os.path.join(cls.ws, "export")
        os.mkdir(cls.export)
        cls.server = cls.enterClassContext(ns.nfs_server(os.path.join(cls.ws, "nfs"), cls.export))

    def export_with(self, *images):
        """A fresh directory of the export per test (the server caches file handles by name)."""
        repo = os.path.join(self.export, self._testMethodName)
        os.mkdir(repo)
        self.addCleanup(shutil.rmtree, repo, True)
        for image in images:
            shutil.copytree(os.path.join(self.good, image), os.path.join(repo, image))
        return repo, self.server.url("/export/" + self._testMethodName)

    def test_symlinked_boot_record_over_nfs(self):
        repo, url = self.export_with("disk")
        self.symlink_outside(os.path.join(repo, "disk"), self.disk_name + "-mbr")
        device, backing, before = self.loop_target()
        self.assertRefused(self.restoredisk(url, device), EXIT_CORRUPT, "%s-mbr: not a regular file" % self.disk_name)
        self.assertEqual(kt.sha256_file(backing), before)

    def test_fifo_parts_over_nfs(self):
        repo, url = self.export_with("parts", "disk")
        os.unlink(os.path.join(repo, "parts", "parts"))
        os.mkfifo(os.path.join(repo, "parts", "parts"))
        self.assertRefused(kura("checkimage", "--repo", url, "parts"), EXIT_CORRUPT, "parts/parts: not a regular file")
        target, before = self.file_target()
        self.assertRefused(self.restoreparts(url, target), EXIT_CORRUPT, "parts/parts: not a regular file")
        self.assertEqual(kt.sha256_file(target), before)
        rc, out, err = kura("list-images", "--repo", url, "--json")
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        images = {i["name"]: i for i in json.loads(out)["images"]}
        self.assertEqual(images["parts"]["state"], "damaged")
        self.assertEqual(images["disk"]["state"], "complete")


if __name__ == "__main__":
    ns.enter_private_network()
    kt.main()
