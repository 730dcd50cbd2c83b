# SPDX-License-Identifier: GPL-3.0-or-later
"""LVM images restored by kura (issue 17): an image in Clonezilla's layout, made the way
its save_logv and savedisk make one (partclone per LV, vgcfgbackup of the VG,
lvm_vg_dev.list, lvm_logv.list, swappt-VG-LV.info), restored by `kura restoredisk` and
`kura restoreparts`: the PV comes back with its UUID, the VG with its metadata, each LV
with its filesystem, swap with its UUID and label, and --grow gives the VG the new space.
Damaged LVM files are refused before anything is written. No device-mapper is needed:
kura writes each LV through its extents and never activates the VG."""
import json
import os
import re
import shutil

import disk_images as di
import kuratest as kt
import lvm_disks as ld
from kuratest import KuraTestCase, MiB, main, run, run_kura

SECTOR = 512


def clonezilla_lvm_image(ws, layout, repo, name="cz-lvm"):
    """The image directory Clonezilla's savedisk writes for `layout` as disk sda."""
    img = os.path.join(repo, name)
    os.makedirs(img)
    parts = di.table(layout.path)

    def put(file, text):
        with open(os.path.join(img, file), "w") as f:
            f.write(text)

    def partclone(tool, source, base):
        raw = os.path.join(ws, base + ".raw")
        run([tool, "-q", "-c", "-s", source, "-o", raw, "-L", os.path.join(ws, base + ".log")])
        kt.compress_file(raw, os.path.join(img, base + ".zst"), "zst")
        os.unlink(raw)

    put("disk", "sda\n")
    put("parts", "sda1 sda2\n")
    dump = run(["sfdisk", "-d", layout.path]).stdout
    dump = dump.replace(layout.path, "/dev/sda")
    put("sda-pt.sf", dump)
    parted = run(["parted", "-s", layout.path, "unit", "s", "print"]).stdout
    put("sda-pt.parted", re.sub(r"Disk .*?:", "Disk /dev/sda:", parted, count=1))
    with open(layout.path, "rb") as f:
        head = f.read(parts[1][0] * SECTOR)
    with open(os.path.join(img, "sda-mbr"), "wb") as f:
        f.write(head[:512])
    with open(os.path.join(img, "sda-hidden-data-after-mbr"), "wb") as f:
        f.write(head[512:])
    partclone("partclone.ext3", layout.ext[1], "sda1.ext3-ptcl-img")
    with layout.pv_device() as pv:
        uuid = ld.lvm("pvs", [pv], "-o", "pv_uuid", "--noheadings", pv).stdout.split()[0]
        put("lvm_vg_dev.list", "%s /dev/sda2 %s\n" % (layout.VG, uuid))
        conf = os.path.join(ws, "vg.conf")
        ld.lvm("vgcfgbackup", [pv], "-f", conf, layout.VG)
        shutil.copyfile(conf, os.path.join(img, "lvm_%s.conf" % layout.VG))
    swap = layout.gather(layout.path, layout.SWAP, os.path.join(ws, "swap-lv.img"))
    put("lvm_logv.list",
        "/dev/%s/%s  Linux rev 1.0 ext4 filesystem data, UUID=0, volume name \"root\" (extents) (64bit)\n"
        "/dev/%s/%s  Linux swap file, 4k page size, little endian, version 1, LABEL=%s, UUID=%s\n"
        % (layout.VG, layout.ROOT, layout.VG, layout.SWAP, layout.SWAP_LABEL, layout.SWAP_UUID))
    partclone("partclone.ext4", layout.root_fs, "%s-%s.ext4-ptcl-img" % (layout.VG, layout.ROOT))
    put("swappt-%s-%s.info" % (layout.VG, layout.SWAP), 'UUID="%s"\nLABEL="%s"\n' % (layout.SWAP_UUID, layout.SWAP_LABEL))
    put("dev-fs.list", "# <Device name>   <File system>   <Size>\n# File system is got from ocs-get-dev-info.\n"
        "/dev/sda1 ext3 48M\n/dev/%s/%s ext4 96M\n" % (layout.VG, layout.ROOT))
    put("clonezilla-img", "This image was saved by Clonezilla at 2026-12-07\n")
    os.unlink(swap)
    return img


class LvmRestore(KuraTestCase):
    REQUIRED_TOOLS = KuraTestCase.REQUIRED_TOOLS + ("lvm", "partclone.ext4", "partclone.ext3", "sfdisk", "parted",
                                                    "mkswap", "zstd")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.disk = ld.make_lvm_disk(cls.ws, os.path.join(cls.ws, "server.img"))
        cls.cz_repo = os.path.join(cls.ws, "cz-repo")
        scratch = os.path.join(cls.ws, "cz-scratch")
        os.makedirs(scratch)
        clonezilla_lvm_image(scratch, cls.disk, cls.cz_repo)
        with cls.disk.pv_device() as pv:
            cls.pv_uuid = ld.lvm("pvs", [pv], "-o", "pv_uuid", "--noheadings", pv).stdout.split()[0]
            cls.vg_uuid = ld.lvm("vgs", [pv], "-o", "vg_uuid", "--noheadings", cls.disk.VG).stdout.split()[0]

    def clonezilla_repo(self, name="repo"):
        """A repository of the test's own holding the Clonezilla image of the class's disk."""
        repo = self.path(name)
        shutil.copytree(self.cz_repo, repo)
        return repo

    def check_lvm_restored(self, target, pv_offset, pv_bytes):
        """The VG on `target` (a disk file) is the source's, and its LVs hold the source's data."""
        layout = self.disk
        with ld.loop_window(target, pv_offset, pv_bytes) as pv:
            report = json.loads(ld.lvm("lvs", [pv], "--reportformat", "json", "-o", "vg_name,vg_uuid,lv_name",
                                       "-a").stdout)
            rows = report["report"][0]["lv"]
            self.assertEqual({r["lv_name"] for r in rows}, {layout.ROOT, layout.SWAP})
            self.assertEqual({r["vg_uuid"] for r in rows}, {self.vg_uuid})
            pv_uuid = ld.lvm("pvs", [pv], "-o", "pv_uuid", "--noheadings", pv).stdout.split()[0]
            self.assertEqual(pv_uuid, self.pv_uuid)
            root = ld.read_lv([pv], layout.VG, layout.ROOT, pv_offset, target, self.path("root-back.img"))
            swap = ld.read_lv([pv], layout.VG, layout.SWAP, pv_offset, target, self.path("swap-back.img"))
        clean, report = kt.fsck_clean(root)
        self.assertTrue(clean, report)
        self.assertEqual(kt.fs_snapshot(root, self.tmp), kt.fs_snapshot(layout.root_fs, self.tmp))
        probe = run(["blkid", "-p", "-o", "export", swap]).stdout
        self.assertIn("TYPE=swap", probe)
        self.assertIn("UUID=" + layout.SWAP_UUID, probe)
        self.assertIn("LABEL=" + layout.SWAP_LABEL, probe)

    def test_clonezilla_lvm_image_restored_by_restoredisk(self):
        repo = self.clonezilla_repo()
        self.assertKura(run_kura("checkimage", "--repo", repo, "--progress=none", "cz-lvm"), 0)
        target = kt.zeroed_file(self.path("target.img"), os.path.getsize(self.disk.path))
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "cz-lvm", target)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("%s/%s" % (self.disk.VG, self.disk.ROOT), out + err)
        di.check_restored(self, self.disk, target, self.tmp)
        self.check_lvm_restored(target, self.disk.pv_offset, self.disk.pv_bytes)

    def test_kura_savedisk_restoredisk_round_trip(self):
        """kura's own LVM image, saved from the disk file and restored onto a zeroed one:
        the root LV's used blocks come back byte for byte."""
        repo = self.new_repo()
        self.assertKura(run_kura("savedisk", "--repo", repo, "--progress=none", "kura-lvm", self.disk.path), 0)
        names = os.listdir(os.path.join(repo, "kura-lvm"))
        self.assertIn("lvm_VolGroup00.conf", names)
        self.assertIn("server2", open(os.path.join(repo, "kura-lvm", "parts")).read().split())
        self.assertFalse([n for n in names if n.startswith("server2.")], names)  # the PV has no stream
        # The PV's header area (label and metadata area) is kept as it was, byte for byte.
        with self.disk.pv_device() as pv:
            pe_start = ld.pe_start_bytes(pv)
        with open(os.path.join(repo, "kura-lvm", "server2-lvm-pv-header"), "rb") as f:
            header = f.read()
        with open(self.disk.path, "rb") as f:
            f.seek(self.disk.pv_offset)
            self.assertEqual(header, f.read(pe_start))
        self.assertKura(run_kura("checkimage", "--repo", repo, "--progress=none", "kura-lvm"), 0)
        target = kt.zeroed_file(self.path("target.img"), os.path.getsize(self.disk.path))
        self.assertKura(run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "kura-lvm", target), 0)
        di.check_restored(self, self.disk, target, self.tmp)
        self.check_lvm_restored(target, self.disk.pv_offset, self.disk.pv_bytes)
        source_root = self.disk.gather(self.disk.path, self.disk.ROOT, self.path("src-root.img"))
        restored_root = self.disk.gather(target, self.disk.ROOT, self.path("dst-root.img"))
        # The root was made on zeros and the target is zeros: unused blocks match too.
        self.assertSameBytes(source_root, restored_root)

    def test_xfs_root_lv_round_trip(self):
        """RHEL 7-9: XFS on LVM. The LV is imaged by XFS's used blocks and comes back with
        the same files, xfs_repair clean."""
        ws = self.path("xfs")
        os.makedirs(ws)
        disk = ld.make_lvm_disk(ws, os.path.join(ws, "xfs.img"), size_mib=448, root_mib=320, root_fs="xfs")
        repo = self.new_repo()
        self.assertKura(run_kura("savedisk", "--repo", repo, "--progress=none", "xfs-lvm", disk.path), 0)
        names = os.listdir(os.path.join(repo, "xfs-lvm"))
        self.assertTrue([n for n in names if n.startswith("VolGroup00-LogVol00.xfs-ptcl-img.zst")], names)
        target = kt.zeroed_file(self.path("target.img"), os.path.getsize(disk.path))
        self.assertKura(run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "xfs-lvm", target), 0)
        root = disk.gather(target, disk.ROOT, self.path("root-back.img"))
        repair = run(["xfs_repair", "-n", root], check=False)
        self.assertEqual(repair.returncode, 0, repair.stdout + repair.stderr)
        trees = []
        for image in (disk.root_fs, root):  # one at a time: both carry the same XFS UUID
            with kt.loop_device(image) as dev, kt.mounted(dev, self.path("mnt"), "ro") as mnt:
                trees.append(kt.tree_contents(mnt))
        self.assertEqual(trees[0], trees[1])

    def test_grow_gives_the_volume_group_the_new_space(self):
        repo = self.clonezilla_repo()
        target = kt.zeroed_file(self.path("bigger.img"), os.path.getsize(self.disk.path) + 128 * MiB)
        self.assertKura(run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "--grow", "cz-lvm",
                                 target), 0)
        start, size = di.table(target)[2]
        self.assertEqual(size * SECTOR, self.disk.pv_bytes + 128 * MiB)
        self.check_lvm_restored(target, start * SECTOR, size * SECTOR)
        with ld.loop_window(target, start * SECTOR, size * SECTOR) as pv:
            free = int(ld.lvm("vgs", [pv], "-o", "vg_free", "--units", "b", "--noheadings", "--nosuffix",
                              self.disk.VG).stdout.split()[0])
        self.assertGreaterEqual(free, 128 * MiB - 8 * MiB)

    def test_grow_lv_takes_the_space_and_its_filesystem_grows(self):
        ws = self.path("last")
        os.makedirs(ws)
        disk = ld.make_lvm_disk(ws, os.path.join(ws, "last.img"), root_last=True)
        repo = self.new_repo()
        clonezilla_lvm_image(self.tmp, disk, repo)
        target = kt.zeroed_file(self.path("bigger.img"), os.path.getsize(disk.path) + 128 * MiB)
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "--grow", "--grow-lv",
                                "VolGroup00/LogVol00", "cz-lvm", target)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        start, size = di.table(target)[2]
        with ld.loop_window(target, start * SECTOR, size * SECTOR) as pv:
            lv_bytes = int(ld.lvm("lvs", [pv], "-o", "lv_size", "--units", "b", "--noheadings", "--nosuffix",
                                  "VolGroup00/LogVol00").stdout.split()[0])
            root = ld.read_lv([pv], disk.VG, disk.ROOT, start * SECTOR, target, self.path("root.img"))
        self.assertGreaterEqual(lv_bytes, 96 * MiB + 120 * MiB)
        clean, report = kt.fsck_clean(root)
        self.assertTrue(clean, report)
        blocks = re.search(r"Block count:\s+(\d+)", run(["dumpe2fs", "-h", root]).stdout)
        self.assertEqual(int(blocks.group(1)) * 1024, lv_bytes)  # mke2fs picks 1 KiB blocks this small
        self.assertEqual(kt.snapshot_differences(kt.fs_snapshot(root, self.tmp),
                                                 kt.fs_snapshot(disk.root_fs, self.tmp)), [])

    def test_grow_lv_needs_grow_and_a_known_lv(self):
        repo = self.clonezilla_repo()
        target = kt.zeroed_file(self.path("t.img"), os.path.getsize(self.disk.path))
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--yes", "--grow-lv", "VolGroup00/LogVol00", "cz-lvm",
                                target)
        self.assertEqual(rc, 2, kt.describe(rc, out, err))
        self.assertIn("needs --grow", err)
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--yes", "--grow", "--grow-lv", "VolGroup00/nope",
                                "cz-lvm", target)
        self.assertEqual(rc, 2, kt.describe(rc, out, err))
        self.assertIn("VolGroup00/nope", err)

    def test_restoreparts_onto_loop_partitions(self):
        repo = self.clonezilla_repo()
        target = kt.zeroed_file(self.path("parts.img"), os.path.getsize(self.disk.path))
        run(["sfdisk", "-q", target], input=run(["sfdisk", "-d", self.disk.path]).stdout)
        parts = di.table(target)
        p1 = self.enterContext(ld.loop_window(target, parts[1][0] * SECTOR, parts[1][1] * SECTOR))
        p2 = self.enterContext(ld.loop_window(target, parts[2][0] * SECTOR, parts[2][1] * SECTOR))
        self.assertKura(run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "cz-lvm", p1, p2), 0)
        self.check_lvm_restored(target, parts[2][0] * SECTOR, parts[2][1] * SECTOR)

    def assertRefusedUntouched(self, repo, expected_rc, expected_text):
        target = kt.zeroed_file(self.path("target.img"), os.path.getsize(self.disk.path))
        before = kt.sha256_file(target)
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "cz-lvm", target)
        self.assertEqual(rc, expected_rc, kt.describe(rc, out, err))
        self.assertIn(expected_text, err)
        self.assertEqual(kt.sha256_file(target), before, "the target was written to")

    def test_damaged_lvm_files_refused_before_writing(self):
        cases = [
            ("lvm_vg_dev.list", lambda t: t.replace(self.pv_uuid, "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA"),
             "lvm_vg_dev.list"),
            ("lvm_VolGroup00.conf", lambda t: re.sub(r"pe_count = \d+", "pe_count = 3", t, count=1),
             "lvm_VolGroup00.conf"),
            ("lvm_VolGroup00.conf", lambda t: t[: len(t) // 2], "lvm_VolGroup00.conf"),
            ("lvm_logv.list", lambda t: t.replace("LogVol00", "LogVol09"), "lvm_logv.list"),
            ("lvm_vg_dev.list", lambda t: t.replace("/dev/sda2", "/dev/../../etc/x"), "lvm_vg_dev.list"),
        ]
        for file, damage, named in cases:
            with self.subTest(file=file, named=named):
                repo = self.clonezilla_repo("repo-%s-%d" % (file, cases.index((file, damage, named))))
                img = os.path.join(repo, "cz-lvm")
                path = os.path.join(img, file)
                with open(path) as f:
                    text = f.read()
                with open(path, "w") as f:
                    f.write(damage(text))
                self.assertRefusedUntouched(repo, 4, named)

    def test_multi_segment_lv_needs_device_mapper(self):
        """A root LV grown by lvextend has two segments: kura maps it with a device-mapper
        table of its own (the live system), and refuses before writing where the kernel has
        none (this test machine) - unless it has, then the restore must succeed."""
        ws = self.path("two")
        os.makedirs(ws)
        disk = ld.make_lvm_disk(ws, os.path.join(ws, "two.img"), two_segments=True)
        repo = self.new_repo()
        clonezilla_lvm_image(self.tmp, disk, repo)
        target = kt.zeroed_file(self.path("target.img"), os.path.getsize(disk.path))
        before = kt.sha256_file(target)
        rc, out, err = run_kura("restoredisk", "--repo", repo, "--progress=none", "--yes", "cz-lvm", target)
        if ld.have_device_mapper():
            self.assertEqual(rc, 0, kt.describe(rc, out, err))
            return
        self.assertEqual(rc, 6, kt.describe(rc, out, err))
        self.assertIn("VolGroup00/LogVol00", err)
        self.assertIn("device-mapper", err)
        self.assertEqual(kt.sha256_file(target), before)

    def test_smaller_pv_partition_refused_before_writing(self):
        repo = self.clonezilla_repo()
        target = kt.zeroed_file(self.path("parts.img"), os.path.getsize(self.disk.path))
        run(["sfdisk", "-q", target], input="label: dos\nstart=2048, size=48M, type=83\nsize=64M, type=8e\n")
        parts = di.table(target)
        p1 = self.enterContext(ld.loop_window(target, parts[1][0] * SECTOR, parts[1][1] * SECTOR))
        p2 = self.enterContext(ld.loop_window(target, parts[2][0] * SECTOR, parts[2][1] * SECTOR))
        before = kt.sha256_file(target)
        rc, out, err = run_kura("restoreparts", "--repo", repo, "--progress=none", "--yes", "cz-lvm", p1, p2)
        self.assertEqual(rc, 6, kt.describe(rc, out, err))
        self.assertIn("physical volume of VolGroup00", err)
        self.assertEqual(kt.sha256_file(target), before)


if __name__ == "__main__":
    main()
