# SPDX-License-Identifier: GPL-3.0-or-later
"""savedisk -> restoredisk of whole disks in image files (partitions reached through
offsets) and through partitioned loop devices (the block-device path: partition re-read,
sector sizes): an MBR disk with ext4, FAT32, swap, an unformatted partition and logical
partitions; a GPT disk with an ESP, NTFS, swap, a raw partition and ext4. Restored onto
an equal disk and onto a larger one (with and without --grow); boot code and the gap
after the table byte-exact, tables verified, every filesystem checked and compared."""
import json
import os
import time

import disk_images as di
import kuratest as kt
from kuratest import KuraTestCase, MiB, main, run, run_kura


class DiskRoundTrip(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("sfdisk", "sgdisk", "mkfs.fat", "mkntfs", "mkswap", "mcopy")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mbr = di.make_mbr_disk(cls.ws, os.path.join(cls.ws, "mbr-disk.img"))
        cls.gpt = di.make_gpt_disk(cls.ws, os.path.join(cls.ws, "gpt-disk.img"))

    def save(self, repo, image, *disks, extra=()):
        result = run_kura("savedisk", "--repo", repo, "--progress=none", "--split", "16MB", *extra, image, *disks)
        self.assertKura(result, 0)
        return result

    def restore(self, repo, image, *targets, extra=()):
        result = run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", *extra, image, *targets)
        self.assertKura(result, 0)
        return result

    def check_image_dir(self, imgdir, disk, kind, parts, swaps):
        names = set(os.listdir(imgdir))
        with open(os.path.join(imgdir, "disk")) as f:
            self.assertEqual(f.read(), disk + "\n")
        with open(os.path.join(imgdir, "parts")) as f:
            self.assertEqual(f.read().split(), parts)
        for suffix in ["-pt.sf", "-pt.parted", "-pt.parted.compact", "-chs.sf", "-mbr"]:
            self.assertIn(disk + suffix, names)
        if kind == "gpt":
            for suffix in ["-gpt-1st", "-gpt-2nd", "-gpt.gdisk", "-gpt.sgdisk"]:
                self.assertIn(disk + suffix, names)
        else:
            self.assertIn(disk + "-hidden-data-after-mbr", names)
        for s in swaps:
            self.assertIn("swappt-%s.info" % s, names)
        for f in ["dev-fs.list", "blkid.list", "clonezilla-img", "Info-img-id.txt", "Info-saved-by-cmd.txt",
                  "kura-manifest"]:
            self.assertIn(f, names)
        with open(os.path.join(imgdir, "kura-manifest")) as f:
            manifest = f.read()
        self.assertIn("complete yes", manifest)
        self.assertIn("verified yes", manifest)
        self.assertRegex(manifest, r"disk %s .*table=%s" % (disk, "gpt" if kind == "gpt" else "dos"))
        for line in manifest.splitlines():
            if line.startswith("file "):
                self.assertRegex(line, r" [0-9a-f]{64}$", "a data file without its SHA-256")

    def test_mbr_disk_file_to_equal_and_larger_files(self):
        repo = self.new_repo()
        self.save(repo, "mbr-img", self.mbr.path)
        imgdir = os.path.join(repo, "mbr-img")
        self.check_image_dir(imgdir, "mbr-disk", "dos", ["mbr-disk1", "mbr-disk2", "mbr-disk6", "mbr-disk7"],
                             ["mbr-disk5"])
        with open(os.path.join(imgdir, "mbr-disk-hidden-data-after-mbr"), "rb") as f:
            self.assertEqual(f.read(), self.mbr.gap)
        self.assertTrue(any(n.startswith("mbr-disk6.dd-ptcl-img.zst") for n in os.listdir(imgdir)))
        self.assertIn("mbr-disk3-ebr", os.listdir(imgdir))  # p3 is the extended container
        rc, out, err = run_kura("list-images", "--repo", repo, "--json")
        self.assertEqual(rc, 0, err)
        [entry] = json.loads(out)["images"]
        self.assertEqual(entry["state"], "complete")
        self.assertTrue(entry["restorable"])
        self.assertEqual(len(entry["disks"]), 1)
        self.assertTrue(entry["disks"][0].startswith("mbr-disk ("), entry["disks"])

        equal = kt.zeroed_file(self.path("equal.img"), os.path.getsize(self.mbr.path))
        self.restore(repo, "mbr-img", equal)
        di.check_restored(self, self.mbr, equal, self.tmp)

        larger = kt.zeroed_file(self.path("larger.img"), os.path.getsize(self.mbr.path) + 64 * MiB)
        self.restore(repo, "mbr-img", larger)
        di.check_restored(self, self.mbr, larger, self.tmp)

        grown = kt.zeroed_file(self.path("grown.img"), os.path.getsize(self.mbr.path) + 64 * MiB)
        self.restore(repo, "mbr-img", grown, extra=("--grow",))
        di.check_restored(self, self.mbr, grown, self.tmp, grown=True)
        before, after = di.table(self.mbr.path), di.table(grown)
        self.assertEqual(after[7][1] - before[7][1], 64 * MiB // di.SECTOR, "the last logical partition grew")
        fs = di.extract(grown, *after[7], self.path("grown-p7"))
        blocks = run(["dumpe2fs", "-h", fs]).stdout
        self.assertIn("Block count:", blocks)
        count = int([l for l in blocks.splitlines() if l.startswith("Block count:")][0].split()[-1])
        block_size = int([l for l in blocks.splitlines() if l.startswith("Block size:")][0].split()[-1])
        self.assertEqual(count * block_size, after[7][1] * di.SECTOR, "resize2fs filled the grown partition")

    def test_gpt_disk_file_to_equal_and_larger_files(self):
        repo = self.new_repo()
        self.save(repo, "gpt-img", self.gpt.path)
        imgdir = os.path.join(repo, "gpt-img")
        self.check_image_dir(imgdir, "gpt-disk", "gpt", ["gpt-disk1", "gpt-disk2", "gpt-disk4", "gpt-disk5"],
                             ["gpt-disk3"])

        equal = kt.zeroed_file(self.path("equal.img"), os.path.getsize(self.gpt.path))
        self.restore(repo, "gpt-img", equal)
        di.check_restored(self, self.gpt, equal, self.tmp)

        larger = kt.zeroed_file(self.path("larger.img"), os.path.getsize(self.gpt.path) + 96 * MiB)
        self.restore(repo, "gpt-img", larger, extra=("--grow",))
        di.check_restored(self, self.gpt, larger, self.tmp, grown=True)
        after = di.table(larger)
        sectors = os.path.getsize(larger) // di.SECTOR
        last_usable = sectors - 34
        end = after[5][0] + after[5][1] - 1
        self.assertLessEqual(end, last_usable)
        self.assertGreater(end, last_usable - 2048, "--grow extended the last partition to the end")
        self.assertGreater(after[5][1], di.table(self.gpt.path)[5][1])

    def test_through_partitioned_loop_devices(self):
        repo = self.new_repo()
        with kt.partitioned_loop(self.gpt.path) as source:
            self.save(repo, "gpt-loop", source, extra=("--devices", source))
            disk = os.path.basename(source)
        with open(os.path.join(repo, "gpt-loop", "parts")) as f:
            self.assertEqual(f.read().split(), [disk + "p1", disk + "p2", disk + "p4", disk + "p5"])
        target_file = kt.zeroed_file(self.path("target.img"), os.path.getsize(self.gpt.path) + 32 * MiB)
        with kt.loop_device(target_file) as target:
            self.restore(repo, "gpt-loop", target, extra=("--devices", target))
            # The kernel knows the new partitions: restoredisk made it re-read the table.
            for n in range(1, 6):
                self.assertTrue(os.path.exists("%sp%d" % (target, n)), "no %sp%d after restore" % (target, n))
            run(["partx", "-d", target], check=False)
        di.check_restored(self, self.gpt, target_file, self.tmp)

    def test_savedisk_killed_and_resumed(self):
        # test_resume.py covers checkpoints in depth; here: savedisk's own --resume path.
        from test_resume import run_and_kill
        repo = self.new_repo()
        env = dict(os.environ, KURA_CHECKPOINT_BYTES=str(1 * MiB))
        args = ["savedisk", "--repo", repo, "--progress=none", "--split", "16MB", "-z", "none", "mbr-img",
                self.mbr.path]
        killed, rc, out, err = run_and_kill(args, os.path.join(repo, ".kura-partial-mbr-img"), 3, env=env)
        self.assertTrue(killed, "the save finished before it could be killed: %s" % err)
        self.assertFalse(os.path.exists(os.path.join(repo, "mbr-img")))
        # The loop devices kura gave the partitions went away with it (autoclear).
        for attempt in range(50):
            attached = run(["losetup", "-n", "-j", self.mbr.path]).stdout.strip()
            if not attached:
                break
            time.sleep(0.1)
        self.assertEqual(attached, "", "loop devices left attached by the killed save")
        rc, out, err = run_kura("savedisk", "--repo", repo, "--progress=none", "--split", "16MB", "-z", "none",
                                "--resume", "mbr-img", self.mbr.path)
        self.assertEqual(rc, 0, err)
        self.assertIn("resum", err.lower())
        with open(os.path.join(repo, "mbr-img", "kura-manifest")) as f:
            self.assertIn("resumed 1", f.read())
        self.check_image_dir(os.path.join(repo, "mbr-img"), "mbr-disk", "dos",
                             ["mbr-disk1", "mbr-disk2", "mbr-disk6", "mbr-disk7"], ["mbr-disk5"])
        target = kt.zeroed_file(self.path("t.img"), os.path.getsize(self.mbr.path))
        self.restore(repo, "mbr-img", target)
        di.check_restored(self, self.mbr, target, self.tmp)

    def test_dry_run_writes_nothing_and_json_plan(self):
        repo = self.new_repo()
        self.save(repo, "mbr-img", self.mbr.path)
        target = kt.zeroed_file(self.path("target.img"), os.path.getsize(self.mbr.path))
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--dry-run", "mbr-img", target)
        self.assertEqual(rc, 0, err)
        for text in ["mbr-disk1", "ext4", "vfat", "swap", "mbr-disk6", "dd"]:
            self.assertIn(text, err)
        with open(target, "rb") as f:
            self.assertEqual(f.read(1 << 20).count(0), 1 << 20, "dry run wrote to the target")


if __name__ == "__main__":
    main()
