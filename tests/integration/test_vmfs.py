# SPDX-License-Identifier: GPL-3.0-or-later
"""VMFS3 and VMFS5 volumes from kura's generator (tests/vmfs/make_vmfs.py), first proven by
vmfs-tools itself, survive save -> restore onto a zeroed file: debugvmfs and vmfs-fuse read
every file back identical, and the image holds exactly the first 17 MiB plus the blocks the
volume's inodes reference (found by an independent walk, tests/vmfs/vmfs_walk.py) - for 1,
2, 4 and 8 MiB blocks, where partclone.vmfs shifts blocks. Volumes whose metadata
contradicts itself are refused (exit 5, VOMA named; test_hostile_sources covers --fs-force),
spanned and VMFS6 volumes are copied whole with a log line; partclone.restore writes the same
bytes from kura's stream as kura does; a GPT disk laid out as ESX installs
it (a boot partition and a datastore) round-trips partition by partition."""
import hashlib
import os
import subprocess
import sys

from kuratest import (EXIT_UNSUPPORTED, KuraTestCase, MiB, data_files, fsck_clean, main, make_ext,
                      partclone_restore, partitioned_loop, read_v2_header, run, run_kura, v2_used_blocks, zeroed_file)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vmfs"))
import make_vmfs  # noqa: E402
import vmfs_walk  # noqa: E402

VARIANTS = ((5, 1, 64), (3, 1, 64), (3, 2, 80), (3, 4, 128), (3, 8, 208))  # version, block MiB, size MiB


def debugvmfs_files(volume, manifest):
    """{path: sha256} as debugvmfs reads the files named in the manifest."""
    out = {}
    for path in manifest["files"]:
        data = subprocess.run(["debugvmfs", volume, "cat", "/" + path], check=True, capture_output=True).stdout
        out[path] = hashlib.sha256(data).hexdigest()
    return out


class VmfsVolumes(KuraTestCase):
    REQUIRED_TOOLS = ("debugvmfs", "fsck.vmfs", "vmfs-fuse", "zstd")

    def make(self, version, block_mib, size_mib, name="vmfs.img"):
        path = self.path(name)
        manifest = make_vmfs.make_volume(path, version, block_mib, size_mib)
        return path, manifest

    def stream_units(self, repo, image, part):
        image_dir = os.path.join(repo, image)
        pieces = [os.path.join(image_dir, f) for f in data_files(image_dir, part)]
        data = subprocess.run("cat %s | zstd -dc" % " ".join(pieces), shell=True, check=True,
                              stdout=subprocess.PIPE).stdout
        header = read_v2_header(data)
        self.assertEqual(data[36:40], b"VMFS")
        self.assertEqual(header["block_size"], MiB)
        return header, v2_used_blocks(data, header)

    def test_generator_is_accepted_by_vmfs_tools(self):
        for version, block_mib, size_mib in VARIANTS:
            with self.subTest(version=version, block_mib=block_mib):
                volume, manifest = self.make(version, block_mib, size_mib)
                self.assertEqual(debugvmfs_files(volume, manifest), manifest["files"])
                check = run(["debugvmfs", volume, "check_vol_bitmaps"])
                self.assertIn("Total errors: 0", check.stdout)
                # fsck.vmfs 0.2.5 counts the to-be-zeroed block as "lost" (it does the same on
                # real volumes) and reads VMFS5 inline data as block ids; nothing else.
                fsck = run(["fsck.vmfs", volume], check=False).stdout
                self.assertIn("Lost blocks        : 1", fsck)
                self.assertIn("Unallocated blocks : %d" % (1 if version == 5 else 0), fsck)
                self.assertIn("Directory errors   : 0", fsck)
                self.assertEqual(sorted(vmfs_walk.Walker(volume).referenced), manifest["allocated_fbs"])
                os.remove(volume)

    def test_round_trip_every_block_size(self):
        for version, block_mib, size_mib in VARIANTS:
            with self.subTest(version=version, block_mib=block_mib):
                volume, manifest = self.make(version, block_mib, size_mib)
                repo = self.new_repo("repo-%d-%d" % (version, block_mib))
                self.assertKura(run_kura("saveparts", "--repo", repo, "--progress=none", "vm", volume), 0)
                header, units = self.stream_units(repo, "vm", "vmfs.img")
                self.assertEqual(units, vmfs_walk.referenced_units(volume, header["device_size"]))
                target = zeroed_file(self.path("target.img"), size_mib * MiB)
                self.assertKura(run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "vm", target), 0)
                self.assertEqual(debugvmfs_files(target, manifest), manifest["files"])
                self.assertIn("Total errors: 0", run(["debugvmfs", target, "check_vol_bitmaps"]).stdout)
                # Partclone's own restore takes the stream and writes the same bytes.
                image_dir = os.path.join(repo, "vm")
                by_partclone = zeroed_file(self.path("by-partclone.img"), size_mib * MiB)
                r = partclone_restore([os.path.join(image_dir, f) for f in data_files(image_dir, "vmfs.img")],
                                      "zst", by_partclone, self.path("partclone.log"))
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertSameBytes(by_partclone, target)
                os.remove(by_partclone)
                if block_mib == 8:
                    mnt = self.path("mnt")
                    os.makedirs(mnt)
                    run(["vmfs-fuse", target, mnt])
                    try:
                        with open(os.path.join(mnt, "big.bin"), "rb") as f:
                            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), manifest["files"]["big.bin"])
                    finally:
                        run(["umount", mnt])
                        os.rmdir(mnt)
                os.remove(target)
                os.remove(volume)

    def assertCopiedWhole(self, volume, reason):
        repo = self.new_repo("whole-%d" % abs(hash(reason)))
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "vm", volume)
        self.assertEqual(rc, 0, out + err)
        self.assertIn(reason, err)
        self.assertIn("copying the whole volume", err)
        header, units = self.stream_units(repo, "vm", os.path.basename(volume))
        self.assertEqual(len(units), header["totalblock"])

    def assertRefusedInconsistent(self, volume, stage, reason):
        repo = self.new_repo("refused-%d" % abs(hash(reason)))
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "vm", volume)
        self.assertEqual(rc, EXIT_UNSUPPORTED, out + err)
        self.assertIn("VMFS5 metadata inconsistent (%s)" % stage, err)
        self.assertIn(reason, err)
        self.assertIn("voma", err)
        self.assertIn("--fs-force", err)
        self.assertEqual(os.listdir(repo), [])

    def patch(self, path, offset, data):
        with open(path, "r+b") as f:
            f.seek(offset)
            f.write(data)

    def test_damaged_spanned_and_vmfs6_volumes(self):
        volume, _ = self.make(5, 1, 64)
        original = open(volume, "rb").read()

        def fresh():
            with open(volume, "wb") as f:
                f.write(original)

        self.patch(volume, make_vmfs.DATA + make_vmfs.FSINFO, b"\0\0\0\0")
        self.assertRefusedInconsistent(volume, "FS descriptor", "the FS descriptor is damaged")
        fresh()
        # The FBB (in the block after the root directory's) claims blocks past the volume, or
        # a header no area layout can hold.
        fbb_block = vmfs_walk.Walker(volume).fdc_base + 2
        self.patch(volume, make_vmfs.DATA + fbb_block * MiB + 20, (6400).to_bytes(4, "little"))
        self.assertRefusedInconsistent(volume, "file-block bitmap (.fbb.sf)", "more than the logical volume holds")
        self.patch(volume, make_vmfs.DATA + fbb_block * MiB + 20, (1 << 20).to_bytes(4, "little"))
        self.assertRefusedInconsistent(volume, "file-block bitmap (.fbb.sf)",
                                       "FBB: the resource file header is inconsistent")
        fresh()
        self.patch(volume, make_vmfs.BASE + 0x200 + 0x90, (2).to_bytes(4, "little"))
        self.assertCopiedWhole(volume, "spanned VMFS volume")
        fresh()
        self.patch(volume, make_vmfs.BASE + 4, (6).to_bytes(4, "little"))
        self.assertCopiedWhole(volume, "VMFS6")
        fresh()
        os.truncate(volume, 40 * MiB)
        repo = self.new_repo("cut")
        rc, out, err = run_kura("saveparts", "--repo", repo, "--progress=none", "vm", volume)
        self.assertEqual(rc, EXIT_UNSUPPORTED, out + err)
        self.assertIn("cut short", err)
        self.assertEqual(os.listdir(repo), [])

    def test_esx_disk_layout_through_saveparts(self):
        """A GPT disk as ESX lays it out: a small boot partition, then the datastore."""
        def gpt_disk(path):
            zeroed_file(path, 120 * MiB)
            run(["parted", "-s", path, "mklabel", "gpt", "mkpart", "boot", "ext4", "1MiB", "17MiB",
                 "mkpart", "datastore", "17MiB", "113MiB"])
            return path

        volume, manifest = self.make(5, 1, 96, "datastore.img")
        boot = make_ext(self.path("boot.img"), 16 * MiB, ["-t", "ext2"])
        repo = self.new_repo()
        with partitioned_loop(gpt_disk(self.path("esx.img"))) as disk:
            run(["dd", "if=" + boot, "of=" + disk + "p1", "bs=1M", "conv=fsync", "status=none"])
            run(["dd", "if=" + volume, "of=" + disk + "p2", "bs=1M", "conv=fsync", "status=none"])
            self.assertEqual(run(["blkid", "-p", "-s", "TYPE", "-o", "value", disk + "p2"]).stdout.strip(),
                             "VMFS_volume_member")
            self.assertKura(run_kura("saveparts", "--repo", repo, "--progress=none", "esx", disk + "p1",
                                     disk + "p2"), 0)
        with partitioned_loop(gpt_disk(self.path("replacement.img"))) as disk:
            self.assertKura(run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "esx",
                                     disk + "p1", disk + "p2"), 0)
            clean, report = fsck_clean(disk + "p1")
            self.assertTrue(clean, report)
            self.assertEqual(debugvmfs_files(disk + "p2", manifest), manifest["files"])


if __name__ == "__main__":
    main()
