# SPDX-License-Identifier: GPL-3.0-or-later
"""NTFS volumes made by mkntfs and filled through ntfs-3g (a fragmented $MFT, thousands of
files, compressed and sparse files, alternate data streams) survive save -> restore:
`ntfsfix -n` clean, every file and stream identical, every used cluster byte-identical
(used as partclone.ntfs, an independent reader, sees them), the backup boot sector included. Partclone interoperates both ways: partclone.ntfs restores kura's stream, kura
restores partclone.ntfs's, and kura's used set is partclone's plus the backup boot sector."""
import os
import subprocess

from kuratest import (KuraTestCase, MiB, data_files, main, ntfs_tree, ntfsfix_clean, partclone_restore,
                      read_v2_header, run, run_kura, v2_used_blocks, zeroed_file)
from ntfs_volumes import backup_boot_offset, boot_sector, geometry, make_populated_ntfs, mft_fragments

SIZE = 128 * MiB


class NtfsRoundTrip(KuraTestCase):
    REQUIRED_TOOLS = ("mkntfs", "ntfs-3g", "ntfsfix", "partclone.ntfs", "partclone.restore", "zstd")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = make_populated_ntfs(os.path.join(cls.ws, "ntfs.img"), SIZE, os.path.join(cls.ws, "mnt"))
        cls.tree = ntfs_tree(cls.source, os.path.join(cls.ws, "look"))
        cls.repo = os.path.join(cls.ws, "repo")
        os.mkdir(cls.repo)
        rc, out, err = run_kura("saveparts", "--repo", cls.repo, "--progress=none", "--split", "4MB", "nt",
                                cls.source)
        if rc != 0:
            raise AssertionError("saveparts failed: %s" % err)
        # partclone.ntfs's view of the volume: its stream, and the clusters it calls used.
        cls.pc_file = os.path.join(cls.ws, "pc.img")
        run(["partclone.ntfs", "-q", "-c", "-s", cls.source, "-o", cls.pc_file, "-L", os.path.join(cls.ws, "pc.log")])
        with open(cls.pc_file, "rb") as f:
            cls.pc = f.read()
        cls.pc_header = read_v2_header(cls.pc)
        cls.cluster = geometry(cls.source)[1]
        cls.backup_cluster = backup_boot_offset(cls.source) // cls.cluster
        cls.used = sorted(set(v2_used_blocks(cls.pc, cls.pc_header)) | {cls.backup_cluster})

    def assertUsedClustersIdentical(self, target, clusters=None):
        with open(target, "rb") as a, open(self.source, "rb") as b:
            for c in clusters if clusters is not None else self.used:
                a.seek(c * self.cluster)
                b.seek(c * self.cluster)
                if a.read(self.cluster) != b.read(self.cluster):
                    self.fail("cluster %d of %s differs from the source" % (c, target))

    def test_the_source_has_every_layout(self):
        self.assertGreaterEqual(mft_fragments(self.source), 2, "the $MFT should be fragmented")
        paths = set(self.tree)
        self.assertIn("streams.txt:Zone.Identifier", paths)
        self.assertGreater(sum(1 for p in paths if p.startswith("small/")), 2000)
        clean, report = ntfsfix_clean(self.source)
        self.assertTrue(clean, report)

    def test_save_restore_is_byte_identical(self):
        target = zeroed_file(self.path("target.img"), SIZE)
        self.assertKura(run_kura("restoreparts", "--repo", self.repo, "--progress=none", "--yes", "nt", target), 0)
        clean, report = ntfsfix_clean(target)
        self.assertTrue(clean, report)
        self.assertEqual(ntfs_tree(target, self.path("mnt")), self.tree)
        backup = backup_boot_offset(self.source)
        self.assertEqual(boot_sector(target, backup), boot_sector(self.source, backup))
        self.assertEqual(boot_sector(target, backup)[3:11], b"NTFS    ")
        self.assertUsedClustersIdentical(target)

    def stream_of(self, image_dir, part):
        pieces = [os.path.join(image_dir, f) for f in data_files(image_dir, part)]
        return subprocess.run("cat %s | zstd -dc" % " ".join(pieces), shell=True, check=True,
                              stdout=subprocess.PIPE).stdout

    def test_used_set_is_partclones_plus_the_backup_boot_sector(self):
        image_dir = os.path.join(self.repo, "nt")
        kura = self.stream_of(image_dir, "ntfs.img")
        kh = read_v2_header(kura)
        self.assertEqual(kura[36:40], b"NTFS")
        self.assertEqual(self.pc_header["block_size"], self.cluster)
        self.assertEqual(kh["block_size"], self.cluster)
        # Partclone's stream ends before the backup boot sector's cluster; kura's covers it.
        self.assertEqual(self.pc_header["totalblock"], self.backup_cluster)
        self.assertEqual(kh["totalblock"], self.backup_cluster + 1)
        self.assertEqual(v2_used_blocks(kura, kh), self.used)

    def test_partclone_restores_kuras_stream(self):
        image_dir = os.path.join(self.repo, "nt")
        pieces = [os.path.join(image_dir, f) for f in data_files(image_dir, "ntfs.img")]
        target = zeroed_file(self.path("by-partclone.img"), SIZE)
        r = partclone_restore(pieces, "zst", target, self.path("restore.log"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertUsedClustersIdentical(target)  # the backup boot sector's cluster included
        clean, report = ntfsfix_clean(target)
        self.assertTrue(clean, report)

    def test_kura_restores_partclones_stream(self):
        repo = self.new_repo("pc-repo")
        image = os.path.join(repo, "pc-ntfs")
        os.mkdir(image)
        with open(os.path.join(image, "parts"), "w") as f:
            f.write("sdb1\n")
        os.link(self.pc_file, os.path.join(image, "sdb1.ntfs-ptcl-img.uncomp"))
        target = zeroed_file(self.path("target.img"), SIZE)
        self.assertKura(run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "pc-ntfs", target), 0)
        self.assertUsedClustersIdentical(target, self.used[:-1])
        # What partclone left out: the backup boot sector stays as the target had it.
        self.assertEqual(boot_sector(target, backup_boot_offset(self.source)), bytes(512))
        self.assertEqual(ntfs_tree(target, self.path("mnt")), self.tree)


if __name__ == "__main__":
    main()
