# SPDX-License-Identifier: GPL-3.0-or-later
"""savedisk of disks holding md RAID members that real mdadm made in a QEMU guest
(tests/fixtures/md, make_md_fixtures.py; this host's kernel has no md driver):

- a RAID1 pair (metadata 1.2 and 0.90): the array's ext4 is imaged once, as md0, through
  one member's data window - one stream, its used blocks those of the filesystem, its
  contents those of the array's filesystem - with Clonezilla's md0-config.env,
  md0-detail.info and <member>-examine.info (equal to `mdadm --examine` here); the sources
  unchanged. restoredisk of it is refused on this host (no md driver) before any write.
- only one member of a pair: refused with the member list; a damaged superblock: refused
  naming the member and the field.
- a RAID5 (1.2): members copied whole (dd) with the plan saying why; restored on this host
  byte for byte (no md needed: the superblocks come back with the members).
"""
import os
import subprocess

import kuratest as kt
from kuratest import KuraTestCase, MiB, main, run, run_kura

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "md")


class MdRaid(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("mdadm", "zstd", "dumpe2fs")

    def disk(self, fixture):
        path = self.path(fixture + ".img")
        run(["zstd", "-q", "-d", "-f", os.path.join(FIXTURES, fixture + ".img.zst"), "-o", path])
        return path

    def member_file(self, disk):
        """Partition 1 (1 MiB to the end) as a file: what mdadm --examine reads."""
        out = disk + ".p1"
        run(["dd", "if=" + disk, "of=" + out, "bs=1M", "skip=1", "status=none"])
        return out

    def examine(self, path):
        return run(["mdadm", "--examine", path]).stdout

    def examine_field(self, text, key):
        for line in text.splitlines():
            if line.strip().startswith(key + " :"):
                return line.split(" : ", 1)[1].strip()
        raise AssertionError("%s not in mdadm --examine output" % key)

    def save_pair(self, prefix):
        a, b = self.disk(prefix + "-a"), self.disk(prefix + "-b")
        before = [kt.sha256_file(a), kt.sha256_file(b)]
        repo = self.new_repo()
        rc, out, err = run_kura("savedisk", "--repo", repo, "--progress=none", "img", a, b)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertEqual([kt.sha256_file(a), kt.sha256_file(b)], before, "saving changed a source")
        return a, b, repo, os.path.join(repo, "img"), out + err

    def check_raid1_image(self, prefix, metadata):
        a, b, repo, imgdir, output = self.save_pair(prefix)
        names = sorted(os.listdir(imgdir))
        streams = [n for n in names if "-ptcl-img" in n]
        self.assertEqual(streams, ["md0.ext4-ptcl-img.zst.aa"], names)  # once, not per member
        with open(os.path.join(imgdir, "parts")) as f:
            self.assertEqual(f.read().split(), ["md0"])
        self.assertIn("raid1 member of md0 (imaged as md0)", output)
        self.assertIn("RAID1 of %s-a1 %s-b1" % (prefix, prefix), output)

        # The array's filesystem: the data window of member a, cut out here by the numbers
        # mdadm --examine prints.
        ma, mb = self.member_file(a), self.member_file(b)
        ex = self.examine(ma)
        offset = int(self.examine_field(ex, "Data Offset").split()[0]) * 512 if metadata != "0.90" else 0
        size = int(self.examine_field(ex, "Array Size").split()[0]) * 1024
        fs = self.path("array.ext4")
        with open(ma, "rb") as src, open(fs, "wb") as dst:
            src.seek(offset)
            dst.write(src.read(size))
        self.assertEqual(kt.blkid_type(fs), "ext4")
        # One stream whose used blocks are the filesystem's (dumpe2fs counts).
        raw = subprocess.run(["zstd", "-q", "-d", "-c", os.path.join(imgdir, "md0.ext4-ptcl-img.zst.aa")],
                             check=True, stdout=subprocess.PIPE).stdout
        header = kt.read_v2_header(raw)
        dump = run(["dumpe2fs", "-h", fs]).stdout
        field = {l.split(":")[0]: l.split(":", 1)[1].strip() for l in dump.splitlines() if ":" in l}
        self.assertEqual(header["device_size"], size)
        self.assertEqual(header["totalblock"], int(field["Block count"]))
        self.assertEqual(header["usedblocks"], int(field["Block count"]) - int(field["Free blocks"]))
        # Restored from the image, the filesystem has the array's files.
        restored = self.path("restored.ext4")
        kt.zeroed_file(restored, size)
        rc, out, err = run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "img", restored)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertTrue(kt.files_identical(fs, restored, self.path()))
        clean, report = kt.fsck_clean(restored)
        self.assertTrue(clean, report)

        # Clonezilla's md files.
        with open(os.path.join(imgdir, "md0-config.env")) as f:
            config = dict(l.split("=", 1) for l in f.read().splitlines())
        uuid = self.examine_field(ex, "UUID" if metadata == "0.90" else "Array UUID")
        self.assertEqual(config["MD_UUID"], uuid)
        self.assertEqual(config["MD_META"], metadata)
        self.assertEqual(config["MD_LEVEL"], "raid1")
        self.assertEqual(config["MD_DEVICES_COUNT"], "2")
        self.assertEqual(config["MD_CHUNK"], "")
        self.assertEqual(config["MD_MEMBERS_ORDERED"], '"/dev/%s-a1 /dev/%s-b1"' % (prefix, prefix))
        if metadata != "0.90":
            self.assertEqual(config["MD_NAME"], self.examine_field(ex, "Name"))
            self.assertEqual(int(config["MD_DATA_OFFSET"]) * 512, offset)
        with open(os.path.join(imgdir, "md0-detail.info")) as f:
            detail = f.read()
        self.assertIn("was not assembled", detail)
        self.assertIn("UUID : " + uuid, detail)
        for member, path in (("a1", ma), ("b1", mb)):
            with open(os.path.join(imgdir, "%s-%s-examine.info" % (prefix, member))) as f:
                saved = f.read().splitlines()
            # The same report but for its first line, which names the device read.
            self.assertEqual(saved[1:], self.examine(path).splitlines()[1:])
        return a, b, repo

    def test_raid1_metadata_1_2_imaged_once_and_restore_refused_here(self):
        a, b, repo = self.check_raid1_image("r1-12", "1.2")
        t1, t2 = self.path("t1.img"), self.path("t2.img")
        kt.zeroed_file(t1, 16 * MiB)
        kt.zeroed_file(t2, 16 * MiB)
        before = [kt.sha256_file(t1), kt.sha256_file(t2)]
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "img", t1, t2)
        self.assertEqual(rc, 6, kt.describe(rc, out, err))
        self.assertIn("image img holds md RAID array md0", err)
        self.assertIn("needs the kernel's md driver, which this system lacks", err)
        self.assertIn("Nothing was written", err)
        self.assertEqual([kt.sha256_file(t1), kt.sha256_file(t2)], before)

    def test_raid1_metadata_0_90_imaged_once(self):
        self.check_raid1_image("r1-090", "0.90")

    def test_one_member_of_a_pair_is_refused(self):
        a = self.disk("r1-10-a")
        repo = self.new_repo()
        rc, out, err = run_kura("savedisk", "--repo", repo, "--progress=none", "img", a)
        self.assertEqual(rc, 5, kt.describe(rc, out, err))
        self.assertRegex(err, r"md array md0 \(raid1, UUID [0-9a-f:]{35}\) has 2 members but the save holds "
                              r"only r1-10-a1 \(slot 1 missing\); save every disk that holds a member of it")
        self.assertFalse(os.path.exists(os.path.join(repo, "img", "parts")))

    def test_damaged_superblock_refused_naming_member_and_field(self):
        a, b = self.disk("r1-12-a"), self.disk("r1-12-b")
        kt.flip_byte(a, MiB + 4096 + 100)  # inside member a1's 1.2 superblock (partition at 1 MiB)
        before = [kt.sha256_file(a), kt.sha256_file(b)]
        repo = self.new_repo()
        rc, out, err = run_kura("savedisk", "--repo", repo, "--progress=none", "img", a, b)
        self.assertEqual(rc, 5, kt.describe(rc, out, err))
        self.assertRegex(err, r"r1-12-a1: md superblock checksum [0-9a-f]{8} does not match its contents")
        self.assertEqual([kt.sha256_file(a), kt.sha256_file(b)], before)
        self.assertFalse(os.path.exists(os.path.join(repo, "img", "parts")))

    def test_raid5_members_copied_whole_and_restored(self):
        disks = [self.disk("r5-12-" + s) for s in "abc"]
        repo = self.new_repo()
        rc, out, err = run_kura("savedisk", "--repo", repo, "--progress=none", "img", *disks)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("its members are copied whole (dd), superblocks included, since kura reads only RAID1 "
                      "arrays without assembling them", out + err)
        imgdir = os.path.join(repo, "img")
        with open(os.path.join(imgdir, "parts")) as f:
            self.assertEqual(f.read().split(), ["r5-12-a1", "r5-12-b1", "r5-12-c1"])
        with open(os.path.join(imgdir, "md0-config.env")) as f:
            config = f.read()
        self.assertIn("MD_LEVEL=raid5\n", config)
        self.assertIn("MD_CHUNK=64\n", config)
        self.assertIn("MD_LAYOUT=left-symmetric\n", config)
        self.assertIn("MD_NAME=kurafix:store\n", config)
        targets = []
        for i in range(3):
            targets.append(self.path("t%d.img" % i))
            kt.zeroed_file(targets[-1], 16 * MiB)
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "img", *targets)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        for src, dst in zip(disks, targets):
            self.assertSameBytes(self.member_file(src), self.member_file(dst))
            self.assertEqual(self.examine(self.member_file(dst)).splitlines()[1:],
                             self.examine(self.member_file(src)).splitlines()[1:])


if __name__ == "__main__":
    main()
