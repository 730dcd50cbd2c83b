# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile numbers in an image: forged Partclone header fields (a total near 2^64 blocks of
one byte, more used blocks than blocks, a block size Partclone never uses, checksum modes
and sizes Partclone never writes), malformed numbers in the kura-manifest, `-pt.sf`,
`-pt.parted` and a resume journal, and partition tables that overlap or wrap past 2^64.

Each forged image is made with partclone_patcher, which keeps everything else intact (the
header's CRC, the manifest's sizes and SHA-256s), so the number is the only damage. Every
case must end with exit 4 and a message naming the field (and the line, for text files);
restoreparts and restoredisk must leave the target byte-identical (SHA-256 before and
after), and checkimage must report the same damage.
"""

import hashlib
import os
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
from partclone_patcher import PatchedStream  # noqa: E402

MiB = kt.MiB
PART = "src.img"   # kura's part name for the source file src.img
DISK_SIZE = 40 * MiB


def patterned_file(path, size):
    """A target whose every byte is known and non-zero, so any write (zeros too) shows."""
    block = bytes((i * 7 + 0x5A) & 0xFF for i in range(MiB))
    with open(path, "wb") as f:
        for _ in range(size // MiB):
            f.write(block)
    return path


def sealed_journal(body):
    """A resume journal closed by the SHA-256 line its writer adds (a forger can too)."""
    return body + "sha256 " + hashlib.sha256(body.encode()).hexdigest() + "\n"


class HostileNumbers(kt.KuraTestCase):

    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("zstd", "sfdisk", "partx")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=41, big_mib=2, small_files=40)
        cls.src = kt.make_ext(os.path.join(cls.ws, PART), 16 * MiB, ["-t", "ext4"], tree)
        cls.parts_repo = os.path.join(cls.ws, "parts-repo")
        os.mkdir(cls.parts_repo)
        rc, out, err = kt.run_kura("saveparts", "--repo", cls.parts_repo, "--progress=none",
                                   "--split", "100kB", "img", cls.src)
        assert rc == 0, kt.describe(rc, out, err)
        # A small partitioned disk saved with savedisk: p1 and p2 ext4.
        cls.disk = kt.zeroed_file(os.path.join(cls.ws, "disk.img"), DISK_SIZE)
        kt.run(["sfdisk", "-q", cls.disk], input="label: dos\nlabel-id: 0x6b757261\n"
               "start=2048, size=16M, type=83\nsize=16M, type=83\n")
        with kt.partitioned_loop(cls.disk) as loop:
            for n in (1, 2):
                kt.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "p%d" % n, loop + "p%d" % n])
        cls.disk_repo = os.path.join(cls.ws, "disk-repo")
        os.mkdir(cls.disk_repo)
        rc, out, err = kt.run_kura("savedisk", "--repo", cls.disk_repo, "--progress=none", "img", cls.disk)
        assert rc == 0, kt.describe(rc, out, err)
        cls.disk_name = open(os.path.join(cls.disk_repo, "img", "disk")).read().split()[0]

    # ---------------------------------------------------------------- helpers

    def copy_repo(self, pristine):
        repo = self.path("repo")
        shutil.copytree(pristine, repo)
        return repo, os.path.join(repo, "img")

    def forged_stream(self, **fields):
        repo, imgdir = self.copy_repo(self.parts_repo)
        stream = PatchedStream(imgdir, PART)
        for name, value in fields.items():
            stream.set_field(name, value)
        stream.save()
        return repo, stream

    def assertRefused(self, result, *words):
        self.assertKura(result, kt.EXIT_CORRUPT)
        err = result[2]
        for w in words:
            self.assertIn(w, err, "stderr does not say %r\n%s" % (w, err))
        self.assertNotIn("internal error", err)

    def assertRestorepartsRefused(self, repo, *words):
        """restoreparts refuses with exit 4 and the words, the target byte-identical;
        checkimage says the same."""
        target = patterned_file(self.path("target.img"), 16 * MiB)
        before = kt.sha256_file(target)
        result = kt.run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "img", target)
        self.assertEqual(kt.sha256_file(target), before, "restoreparts wrote to the target")
        self.assertRefused(result, *words)
        self.assertRefused(kt.run_kura("checkimage", "--repo", repo, "img"), *words)

    def forged_disk_file(self, suffix, old, new):
        repo, imgdir = self.copy_repo(self.disk_repo)
        path = os.path.join(imgdir, self.disk_name + suffix)
        with open(path) as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w") as f:
            f.write(text.replace(old, new, 1))
        return repo

    def restoredisk(self, repo, target):
        return kt.run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "img", target)

    def assertRestorediskRefused(self, repo, *words):
        """restoredisk onto a loop device refuses with exit 4 and the words, and never touches it."""
        backing = patterned_file(self.path("target-disk.img"), DISK_SIZE)
        before = kt.sha256_file(backing)
        loop = self.attach_loop(backing)
        result = self.restoredisk(repo, loop)
        kt.run(["sync"])
        self.assertEqual(kt.sha256_file(backing), before, "restoredisk wrote to the target")
        self.assertRefused(result, *words)
        return result

    def sf_line(self, number):
        """The -pt.sf line of partition `number` and its 1-based line number."""
        with open(os.path.join(self.disk_repo, "img", self.disk_name + "-pt.sf")) as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            if line.split(" ")[0].endswith(str(number)) and "start=" in line:
                return line, i + 1
        self.fail("no line for partition %d" % number)

    # ---------------------------------------------------------------- Partclone headers

    def test_total_near_2_to_64_blocks_of_one_byte(self):
        repo, _ = self.forged_stream(block_size=1, total_blocks=2**64 - 7, device_size=2**64 - 1)
        self.assertRestorepartsRefused(repo, PART, "field block_size is 1")

    def test_total_near_2_to_64_blocks_of_512_bytes(self):
        # A block size Partclone uses, and a bitmap whose size would wrap: refused by count.
        repo, _ = self.forged_stream(block_size=512, total_blocks=2**64 - 1, device_size=2**64 - 1)
        self.assertRestorepartsRefused(repo, PART, "field total_blocks is 18446744073709551615")

    def test_used_blocks_more_than_total(self):
        repo, stream = self.forged_stream()
        total = stream.field("total_blocks")
        stream.set_field("used_blocks", total + 1)
        stream.save()
        self.assertRestorepartsRefused(repo, PART, "field used_blocks is %d, more than total_blocks %d"
                                       % (total + 1, total))

    def test_block_size_not_a_power_of_two(self):
        repo, _ = self.forged_stream(block_size=3000)
        self.assertRestorepartsRefused(repo, PART, "field block_size is 3000")

    def test_checksum_mode_none_size_zero_on_a_crc_stream(self):
        # What once restored misaligned data with exit 0: the CRCs relabelled as absent.
        repo, _ = self.forged_stream(checksum_mode=0, checksum_size=0)
        self.assertRestorepartsRefused(repo, PART, "field blocks_per_checksum", "checksum_mode 0 (none)")

    def test_checksum_mode_none_in_every_field_on_a_crc_stream(self):
        # The forger also zeroes blocks_per_checksum: the header is then one Partclone could
        # write, and the damage shows only where the stream goes on past its last block.
        repo, _ = self.forged_stream(checksum_mode=0, checksum_size=0, blocks_per_checksum=0)
        message = "field checksum_mode says the stream carries no checksums"
        self.assertRefused(kt.run_kura("checkimage", "--repo", repo, "img"), PART, message)
        target = patterned_file(self.path("target.img"), 16 * MiB)
        result = kt.run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "img", target)
        self.assertRefused(result, PART, message)
        # Found mid-stream: the documented state is a target whose filesystem signature is
        # cleared, so nothing mounts a misaligned filesystem.
        probe = kt.run(["blkid", "-p", "-o", "value", "-s", "TYPE", target], check=False)
        self.assertEqual(probe.stdout.strip(), "", "the half-restored target still has a filesystem signature")

    def test_unknown_checksum_mode(self):
        repo, _ = self.forged_stream(checksum_mode=0x30, checksum_size=8)
        self.assertRestorepartsRefused(repo, PART, "field checksum_mode 48 is not supported")

    def test_checksum_size_partclone_never_writes(self):
        repo, _ = self.forged_stream(checksum_size=8)
        self.assertRestorepartsRefused(repo, PART, "field checksum_size is 8 with checksum_mode 32 (CRC32)")

    # ---------------------------------------------------------------- text metadata

    def manifest_forged(self, old, new):
        repo, imgdir = self.copy_repo(self.parts_repo)
        path = os.path.join(imgdir, "kura-manifest")
        with open(path) as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            if old in line:
                lines[i] = line.replace(old, new, 1)
                with open(path, "w") as f:
                    f.write("\n".join(lines) + "\n")
                return repo, i + 1
        self.fail("the manifest has no %r" % old)

    def test_manifest_seconds_abc(self):
        repo, line = self.manifest_forged("seconds=", "seconds=abc")
        self.assertRestorepartsRefused(repo, "kura-manifest", "line %d: field seconds" % line, "abc")

    def test_manifest_twenty_digit_size(self):
        repo, _ = self.copy_repo(self.parts_repo)
        path = os.path.join(repo, "img", "kura-manifest")
        with open(path) as f:
            lines = f.read().splitlines()
        number = next(i for i, line in enumerate(lines) if line.startswith("file ")) + 1
        words = lines[number - 1].split(" ")
        words[3] = "99999999999999999999"
        lines[number - 1] = " ".join(words)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.assertRestorepartsRefused(repo, "kura-manifest", "line %d: field bytes '99999999999999999999'" % number)

    def test_forged_resume_journal(self):
        repo = self.new_repo()
        partial = os.path.join(repo, ".kura-partial-img")
        os.mkdir(partial)
        body = ("kura-resume 1\nsequence 3\nimage img\nengine kura 0.1.0\ncreated 2026-12-07T00:00:00Z\n"
                "codec zstd\nlevel 3\nsplit 99999999999999999999\nresumes 0\nsource %s %s\n" % (PART, self.src))
        with open(os.path.join(partial, ".kura-resume.a"), "w") as f:
            f.write(sealed_journal(body))
        before = kt.dir_digest(repo)
        result = kt.run_kura("saveparts", "--repo", repo, "--progress=none", "--resume", "img", self.src)
        self.assertRefused(result, ".kura-resume.a", "line 8: field split '99999999999999999999'")
        self.assertEqual(kt.dir_digest(repo), before, "a refused resume changed the repository")

    # ---------------------------------------------------------------- partition tables

    def test_twenty_digit_number_in_pt_sf(self):
        line, number = self.sf_line(2)
        size = line.split("size=")[1].split(",")[0]
        repo = self.forged_disk_file("-pt.sf", line, line.replace("size=" + size, "size=99999999999999999999"))
        self.assertRestorediskRefused(repo, "line %d: field size \"99999999999999999999\"" % number)

    def test_twenty_digit_number_in_pt_parted(self):
        sectors = DISK_SIZE // 512
        repo = self.forged_disk_file("-pt.parted", ": %ds" % sectors, ": 99999999999999999999s")
        self.assertRestorediskRefused(repo, "line 2: field disk size \"99999999999999999999s\"")

    def test_overlapping_partitions_in_pt_sf(self):
        line, _ = self.sf_line(2)
        start = line.split("start=")[1].split(",")[0]
        repo = self.forged_disk_file("-pt.sf", line, line.replace("start=" + start, "start=%12d" % 4096))
        self.assertRestorediskRefused(repo, "partition 1 (start 2048, size 32768) overlaps partition 2 (start 4096")

    def test_partition_wrapping_past_2_to_64_in_pt_sf(self):
        line, _ = self.sf_line(2)
        start = line.split("start=")[1].split(",")[0]
        repo = self.forged_disk_file("-pt.sf", line, line.replace("start=" + start, "start=18446744073709550000"))
        self.assertRestorediskRefused(repo, "partition 2 (start 18446744073709550000", "wraps past 2^64")

    def test_partition_past_the_saved_disk(self):
        line, _ = self.sf_line(2)
        size = line.split("size=")[1].split(",")[0]
        repo = self.forged_disk_file("-pt.sf", line, line.replace("size=" + size, "size=%12d" % (DISK_SIZE // 512)))
        self.assertRestorediskRefused(repo, "partition 2", "past the end of the disk (%d sectors)" % (DISK_SIZE // 512))

    def test_checkimage_refuses_what_restoredisk_refuses(self):
        line, number = self.sf_line(2)
        size = line.split("size=")[1].split(",")[0]
        repo = self.forged_disk_file("-pt.sf", line, line.replace("size=" + size, "size=99999999999999999999"))
        # Opening the image checks every table file restoredisk reads, checkimage included.
        result = kt.run_kura("checkimage", "--repo", repo, "img")
        self.assertRefused(result, "line %d: field size" % number)
        self.assertIn("-pt.sf", result[2])


if __name__ == "__main__":
    kt.main()
