# SPDX-License-Identifier: GPL-3.0-or-later
"""Where images live: `kura list-images`, the `dev:` repository (a partition kura mounts
itself and unmounts afterwards), and the free-space check before a save together with a
save that runs out of space leaving every earlier image untouched."""
import json
import os
import shutil
import signal
import subprocess

from kuratest import (EXIT_CANCELLED, EXIT_IO, KURA_BIN, EXIT_NOT_FOUND, EXIT_OK, EXIT_UNSUPPORTED, EXIT_USAGE, KuraTestCase, MiB, dir_digest,
                      main, make_ext, make_tree, run, run_kura, zeroed_file)


def mounts_of(dev):
    """Mount points of block device dev, from the kernel's own table."""
    rdev = os.stat(dev).st_rdev
    wanted = "%d:%d" % (os.major(rdev), os.minor(rdev))
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[2] == wanted]


def images_by_name(out):
    listing = json.loads(out)
    return {image["name"]: image for image in listing["images"]}


class Repositories(KuraTestCase):
    def setUp(self):
        super().setUp()
        tree = self.path("tree")
        make_tree(tree, seed=11, big_mib=4, small_files=40)
        self.source = make_ext(self.path("source.img"), 24 * MiB, ["-t", "ext4"], tree)

    def restore_and_compare(self, repo, image):
        target = zeroed_file(self.path("target-%s.img" % image), 24 * MiB)
        self.assertKura(run_kura("restoreparts", "--repo", repo, "--yes", "--progress=none", image, target), EXIT_OK)
        self.assertSameBytes(self.source, target)

    def test_list_images_shows_every_kind(self):
        repo = self.new_repo()
        self.assertKura(run_kura("saveparts", "--repo", repo, "--progress=none", "verified", self.source), EXIT_OK)
        self.assertKura(run_kura("saveparts", "--repo", repo, "--progress=none", "--no-verify", "unverified",
                                 self.source), EXIT_OK)
        # A Clonezilla-made image: the same files without kura's manifest.
        shutil.copytree(os.path.join(repo, "verified"), os.path.join(repo, "fromclonezilla"))
        os.unlink(os.path.join(repo, "fromclonezilla", "kura-manifest"))
        # What a killed save leaves, and a directory that is no image at all.
        os.mkdir(os.path.join(repo, ".kura-partial-killed"))
        with open(os.path.join(repo, ".kura-partial-killed", "source.img.ext4-ptcl-img.zst.aa"), "wb") as f:
            f.write(b"\0" * 1000)
        os.mkdir(os.path.join(repo, "lost+found"))

        rc, out, err = run_kura("list-images", "--repo", repo, "--json")
        self.assertEqual(rc, EXIT_OK, err)
        images = images_by_name(out)
        self.assertEqual(sorted(images), ["fromclonezilla", "killed", "unverified", "verified"])
        v = images["verified"]
        self.assertEqual((v["state"], v["verified"], v["restorable"]), ("complete", True, True))
        self.assertEqual(v["parts"], ["source.img (ext4)"])
        self.assertRegex(v["created"], r"^\d{4}-\d\d-\d\dT")
        self.assertEqual(v["bytes"], sum(os.path.getsize(os.path.join(repo, "verified", n))
                                         for n in os.listdir(os.path.join(repo, "verified"))))
        self.assertEqual((images["unverified"]["state"], images["unverified"]["verified"]), ("complete", False))
        cz = images["fromclonezilla"]
        self.assertEqual((cz["state"], cz["made_by"], cz["restorable"], cz["parts"]),
                         ("complete-unknown", "clonezilla", True, ["source.img"]))
        k = images["killed"]
        self.assertEqual((k["state"], k["restorable"], k["directory"], k["bytes"]),
                         ("incomplete", False, ".kura-partial-killed", 1000))

        rc, out, err = run_kura("list-images", "--repo", repo)
        self.assertEqual(rc, EXIT_OK, err)
        self.assertRegex(out, r"killed\s+-\s+.*incomplete")
        # The partial image is never offered for restore, under either name.
        target = zeroed_file(self.path("t.img"), 24 * MiB)
        self.assertKura(run_kura("restoreparts", "--repo", repo, "--yes", "killed", target), EXIT_NOT_FOUND)
        self.assertKura(run_kura("restoreparts", "--repo", repo, "--yes", ".kura-partial-killed", target), EXIT_USAGE)

    def test_device_repository_mounts_and_unmounts(self):
        backing = make_ext(self.path("usb.img"), 64 * MiB, ["-t", "ext4", "-L", "kuratestrepo"])
        dev = self.attach_loop(backing)
        uuid = run(["blkid", "-p", "-o", "value", "-s", "UUID", dev]).stdout.strip()

        rc, out, err = run_kura("saveparts", "--repo", "dev:LABEL=kuratestrepo", "--progress=none", "--verbose",
                                "onusb", self.source)
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn("mounted " + dev, err)
        self.assertEqual(mounts_of(dev), [], "kura must unmount the repository partition at the end")

        name = os.path.basename(dev)
        self.assertKura(run_kura("checkimage", "--repo", "dev:" + name, "--progress=none", "onusb"), EXIT_OK)
        rc, out, err = run_kura("list-images", "--repo", "dev:UUID=" + uuid, "--json")
        self.assertEqual(rc, EXIT_OK, err)
        self.assertEqual(images_by_name(out)["onusb"]["state"], "complete")
        self.restore_and_compare("dev:" + dev, "onusb")
        self.assertEqual(mounts_of(dev), [])

        # A failing operation unmounts too.
        self.assertNotEqual(run_kura("saveparts", "--repo", "dev:" + name, "--progress=none", "onusb",
                                     self.source)[0], EXIT_OK)
        self.assertEqual(mounts_of(dev), [])
        # The repository partition itself cannot be saved into itself: it is mounted read-write.
        rc, out, err = run_kura("saveparts", "--repo", "dev:" + name, "--progress=none", "self", dev)
        self.assertEqual(rc, EXIT_UNSUPPORTED, err)
        self.assertEqual(mounts_of(dev), [])

        # Already mounted: used where it is and left mounted.
        mnt = self.mount(dev, self.path("mnt"))
        rc, out, err = run_kura("saveparts", "--repo", "dev:" + name, "--progress=none", "--verbose", "second",
                                self.source)
        self.assertEqual(rc, EXIT_OK, err)
        self.assertIn("already mounted at " + mnt, err)
        self.assertEqual(mounts_of(dev), [mnt])
        self.assertTrue(os.path.isfile(os.path.join(mnt, "second", "parts")))

    def test_device_repository_unmounted_after_ctrl_c(self):
        dev = self.attach_loop(make_ext(self.path("usb.img"), 64 * MiB, ["-t", "ext4"]))
        # zstd -19 on one thread is slow enough that the signal lands mid-stream.
        proc = subprocess.Popen([KURA_BIN, "saveparts", "--repo", "dev:" + dev, "--progress=json", "--threads", "1",
                                 "--level", "19", "img", self.source],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            for line in proc.stderr:
                if '"event":"progress"' in line:
                    break
            self.assertEqual(len(mounts_of(dev)), 1, "the repository should be mounted while saving")
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, EXIT_CANCELLED, err)
        self.assertEqual(mounts_of(dev), [], "an interrupted save must unmount the repository")

    def test_device_repository_bad_names(self):
        rc, out, err = run_kura("list-images", "--repo", "dev:LABEL=no-such-kura-label")
        self.assertEqual(rc, EXIT_NOT_FOUND, err)
        self.assertIn("no partition has LABEL=no-such-kura-label", err)
        rc, out, err = run_kura("list-images", "--repo", "dev:" + self.source)
        self.assertEqual(rc, EXIT_USAGE, err)
        self.assertIn("is not a block device", err)
        labelled = self.attach_loop(make_ext(self.path("labelled.img"), 8 * MiB, ["-t", "ext4", "-L", "kuracand"]))
        rc, out, err = run_kura("list-images", "--repo", "dev:")
        self.assertEqual(rc, EXIT_USAGE, err)
        self.assertIn("%s (ext4, LABEL=kuracand)" % os.path.basename(labelled), err)
        # A loop device holding no filesystem.
        dev = self.attach_loop(zeroed_file(self.path("blank.img"), 8 * MiB))
        rc, out, err = run_kura("list-images", "--repo", "dev:" + dev)
        self.assertEqual(rc, EXIT_UNSUPPORTED, err)
        self.assertIn("holds no filesystem", err)

    def test_free_space_warning_and_full_repository(self):
        repo_dev = self.attach_loop(make_ext(self.path("small-repo.img"), 24 * MiB, ["-t", "ext4"]))
        repo = self.mount(repo_dev, self.path("repo-mnt"))
        tiny = make_ext(self.path("tiny.img"), 4 * MiB, ["-t", "ext4"])
        self.assertKura(run_kura("saveparts", "--repo", repo, "--progress=none", "earlier", tiny), EXIT_OK)
        earlier = dir_digest(os.path.join(repo, "earlier"))

        big_tree = self.path("big")
        make_tree(big_tree, seed=12, big_mib=30, small_files=10)
        big = make_ext(self.path("big.img"), 64 * MiB, ["-t", "ext4"], big_tree)
        rc, out, err = run_kura("saveparts", "--repo", repo, "--dry-run", "-z", "none", "toolarge", big)
        self.assertEqual(rc, EXIT_OK, err)
        self.assertRegex(err, r"warning.*the repository has .* free; the image may need about")

        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "-z", "none", "toolarge", big)
        self.assertEqual(rc, EXIT_IO, err)
        self.assertIn("the repository is full", err)
        self.assertEqual(sorted(os.listdir(repo)), ["earlier", "lost+found"])
        self.assertEqual(dir_digest(os.path.join(repo, "earlier")), earlier, "an earlier image changed")
        self.assertKura(run_kura("checkimage", "--repo", repo, "--progress=none", "earlier"), EXIT_OK)
        rc, out, err = run_kura("list-images", "--repo", repo, "--json")
        self.assertEqual(sorted(images_by_name(out)), ["earlier"])


if __name__ == "__main__":
    main()
