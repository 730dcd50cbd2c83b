# SPDX-License-Identifier: GPL-3.0-or-later
"""savedisk of a server disk holding LVM2, in Clonezilla's layout: each linear LV imaged
by its filesystem (VG-LV.<fs>-ptcl-img.*), the swap LV recorded, the VG's metadata kept
(lvm_<VG>.conf), lvm_vg_dev.list and lvm_logv.list written, and the PV partition listed in
`parts` with no data file of its own.

The disks are image FILES: an MBR with /boot (ext3) and a PV partition. lvm2 writes the
metadata through a loop window over the PV partition (activation=0, --devices: the host
kernel has no device-mapper, and lvm2 then sees no other PV and writes nothing under
/etc/lvm), and the filesystems are built as files and copied to the LVs' extents where
`lvs -o seg_pe_ranges` and `pvs -o pe_start` put them.

Checked: the files' contents; the LV stream restored by partclone.ext4 into a file is
fsck-clean with the same files; ocs-chkimg accepts the image; vgcfgrestore takes the saved
conf on a scratch PV; the image follows the LV's used blocks, not what was once written
and deleted; a VG spanning two disks saved with one of them is refused with the missing
member; saved with both, its two-segment LV (no device-mapper here) makes the PVs go whole
with the reason in the plan. Every case checks that the source disk files are unchanged.
"""

import os
import re
import sys

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk_images as di  # noqa: E402
import kuratest as kt  # noqa: E402
import lvm_disks as ld  # noqa: E402

MiB = kt.MiB
EXTENT = 4 * MiB
SWAP_UUID = "0b3c6e0a-5d7f-4f4b-9a57-6a0c2d1e4f11"


def lvm(devices, *args):
    """An lvm2 command that sees only `devices` (lvm_disks.lvm, devices first)."""
    return ld.lvm(args[0], devices, *args[1:])


def report(devices, what, *args):
    return lvm(devices, what, "--noheadings", "--units", "b", "--nosuffix", *args).stdout.strip()


def mbr_disk(path, size_mib, partitions):
    """A zeroed disk file with an MBR; partitions: [(start_mib, size_mib or None, type)]."""
    kt.zeroed_file(path, size_mib * MiB)
    script = "label: dos\n" + "".join(
        "start=%d, %stype=%s\n" % (start * 2048, "" if size is None else "size=%d, " % (size * 2048), kind)
        for start, size, kind in partitions)
    kt.run(["sfdisk", "-q", path], input=script)
    return di.table(path)


class LvmSaveTest(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + (
        "lvm", "sfdisk", "mkswap", "partclone.ext4", "zstd", "ocs-chkimg", "file")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ws = cls.ws
        # /boot plus VolGroup00 (LogVol00 ext4 root, LogVol01 swap), as RHEL5-class installs lay them.
        cls.disk = os.path.join(ws, "srv.img")
        parts = mbr_disk(cls.disk, 200, [(1, 32, "83"), (33, None, "8e")])
        cls.boot_tree = os.path.join(ws, "boot-tree")
        kt.make_tree(cls.boot_tree, seed=17, big_mib=2, small_files=30)
        boot = kt.make_ext(os.path.join(ws, "boot.ext3"), 32 * MiB, ("-t", "ext3", "-L", "boot"), cls.boot_tree)
        di.copy_into(cls.disk, parts[1][0], boot)
        pv_start, pv_size = parts[2][0] * 512, parts[2][1] * 512
        with ld.loop_window(cls.disk, pv_start, pv_size) as pv:
            lvm([pv], "pvcreate", "-q", pv)
            lvm([pv], "vgcreate", "-q", "-s", "4m", "VolGroup00", pv)
            lvm([pv], "lvcreate", "-q", "-an", "-Zn", "-L", "96m", "-n", "LogVol00", "VolGroup00")
            lvm([pv], "lvcreate", "-q", "-an", "-Zn", "-L", "16m", "-n", "LogVol01", "VolGroup00")
            cls.pv_uuid = report([pv], "pvs", "-o", "pv_uuid", pv)
            pe_start = int(report([pv], "pvs", "-o", "pe_start", pv))
            extents = ld.lv_pe_ranges([pv], "VolGroup00")
        for lv in ("LogVol00", "LogVol01"):
            assert len(extents[lv]) == 1, extents  # one linear segment each
        cls.lv_offset = {lv: pv_start + pe_start + extents[lv][0][1] * EXTENT for lv in extents}

        # The root LV had 40 MiB written and deleted before the real files came: the LV's
        # blocks still hold it, its filesystem does not.
        cls.root = os.path.join(ws, "root.ext4")
        kt.make_ext(cls.root, 96 * MiB, ("-t", "ext4", "-L", "root"))
        scratch = os.path.join(ws, "scratch")
        with kt.loop_device(cls.root) as dev, kt.mounted(dev, os.path.join(ws, "mnt")) as mnt:
            with open(os.path.join(mnt, "deleted.bin"), "wb") as f:
                f.write(os.urandom(40 * MiB))
            kt.run(["sync"])
            os.unlink(os.path.join(mnt, "deleted.bin"))
            kt.make_tree(os.path.join(mnt, "srv"), seed=5, big_mib=3, small_files=60)
        os.makedirs(scratch, exist_ok=True)
        cls.root_snapshot = kt.fs_snapshot(cls.root, scratch)
        di.copy_into(cls.disk, cls.lv_offset["LogVol00"] // 512, cls.root)
        swap = kt.zeroed_file(os.path.join(ws, "swap"), 16 * MiB)
        kt.run(["mkswap", "-L", "swap1", "-U", SWAP_UUID, swap])
        di.copy_into(cls.disk, cls.lv_offset["LogVol01"] // 512, swap)
        cls.disk_sha = kt.sha256_file(cls.disk)

    def savedisk(self, repo, image, *disks):
        return kt.run_kura("savedisk", "--repo", repo, "--progress=none", image, *disks)

    # ---- the Clonezilla layout --------------------------------------------------

    def test_savedisk_images_each_lv_by_its_filesystem(self):
        repo = self.new_repo()
        rc, out, err = self.savedisk(repo, "lvm-img", self.disk)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertEqual(kt.sha256_file(self.disk), self.disk_sha, "the source disk file changed")
        img = os.path.join(repo, "lvm-img")
        names = sorted(os.listdir(img))

        # The plan shows the LVs under their PV partition.
        plan = out + err
        self.assertRegex(plan, r"srv2 .*LVM2_member")
        self.assertRegex(plan, r"\n\s+VolGroup00/LogVol00 .* ext4 ")
        self.assertRegex(plan, r"\n\s+VolGroup00/LogVol01 .* swap ")

        with open(os.path.join(img, "parts")) as f:
            self.assertEqual(f.read(), "srv1 srv2\n")
        with open(os.path.join(img, "lvm_vg_dev.list")) as f:
            self.assertEqual(f.read(), "VolGroup00 /dev/srv2 %s\n" % self.pv_uuid)
        with open(os.path.join(img, "lvm_logv.list")) as f:
            logv = f.read().splitlines()
        self.assertEqual(len(logv), 2, logv)
        self.assertRegex(logv[0], r"^/dev/VolGroup00/LogVol00  .*ext4 filesystem data.*root")
        self.assertRegex(logv[1], r"^/dev/VolGroup00/LogVol01  .*[Ss]wap.*")
        with open(os.path.join(img, "swappt-VolGroup00-LogVol01.info")) as f:
            self.assertEqual(f.read(), 'UUID="%s"\nLABEL="swap1"\n' % SWAP_UUID)
        with open(os.path.join(img, "dev-fs.list")) as f:
            dev_fs = f.read()
        self.assertIn("/dev/VolGroup00/LogVol00 ext4 96M\n", dev_fs)
        self.assertNotIn("/dev/srv2 ", dev_fs)
        with open(os.path.join(img, "lvm_VolGroup00.conf")) as f:
            conf = f.read()
        self.assertRegex(conf, r"(?m)^VolGroup00 \{")
        self.assertIn('id = "%s"' % self.pv_uuid, conf)

        # Data: /boot and the root LV; nothing for the PV partition or the swap LV.
        self.assertEqual(kt.data_files(img, "srv2"), [])
        self.assertEqual(kt.data_files(img, "VolGroup00-LogVol01"), [])
        self.assertEqual(kt.data_files(img, "srv1"), ["srv1.ext3-ptcl-img.zst.aa"])
        root_files = kt.data_files(img, "VolGroup00-LogVol00")
        self.assertEqual(root_files, ["VolGroup00-LogVol00.ext4-ptcl-img.zst.aa"])
        with open(os.path.join(img, "kura-manifest")) as f:
            self.assertRegex(f.read(), r"(?m)^part VolGroup00-LogVol00 .*fs=ext4")

        # Partclone-compatible: partclone.ext4 restores the LV's stream into a file.
        restored = kt.zeroed_file(self.path("root.restored"), 96 * MiB)
        r = kt.partclone_restore([os.path.join(img, n) for n in root_files], "zst", restored, self.path("pc.log"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        clean, fsck = kt.fsck_clean(restored)
        self.assertTrue(clean, fsck)
        self.assertEqual(kt.fs_snapshot(restored, self.tmp), self.root_snapshot)

        # The image follows the LV's used blocks: 40 MiB of incompressible bytes were
        # written and deleted there; the stream holds the ~4 MiB of live files only.
        root_bytes = os.path.getsize(os.path.join(img, root_files[0]))
        self.assertLess(root_bytes, 15 * MiB, "the LV's stream carries deleted data")
        self.assertNotIn("dd-ptcl-img", " ".join(names))

        # kura's own check reads the LVM files and verifies the LV's stream.
        self.assertKura(kt.run_kura("checkimage", "--repo", repo, "--progress=none", "lvm-img"), 0)

        # vgcfgrestore takes the saved conf onto a scratch PV with the saved UUID.
        scratch = kt.zeroed_file(self.path("scratch-pv"), 200 * MiB)
        pv = self.attach_loop(scratch)
        conf_path = os.path.join(img, "lvm_VolGroup00.conf")
        lvm([pv], "pvcreate", "-q", "--uuid", self.pv_uuid, "--restorefile", conf_path, pv)
        restore = lvm([pv], "vgcfgrestore", "-f", conf_path, "VolGroup00")
        self.assertIn("Restored volume group VolGroup00", restore.stdout + restore.stderr)
        lvs = report([pv], "lvs", "-o", "lv_name,lv_size", "VolGroup00")
        self.assertRegex(lvs, r"LogVol00\s+%d" % (96 * MiB))
        self.assertRegex(lvs, r"LogVol01\s+%d" % (16 * MiB))

    def test_savedisk_of_the_block_device_passes_ocs_chkimg(self):
        # Clonezilla's checker derives disk names from partition names, which a file's
        # "srv1" does not fit: the same disk through a partitioned loop device (whose PV is
        # then read at offset 0 of its own partition node).
        repo = self.new_repo()
        with kt.partitioned_loop(self.disk) as dev:
            rc, out, err = kt.run_kura("savedisk", "--repo", repo, "--progress=none", "--devices", dev,
                                       "lvm-img", dev)
            self.assertEqual(rc, 0, kt.describe(rc, out, err))
            img = os.path.join(repo, "lvm-img")
            name = os.path.basename(dev)
            with open(os.path.join(img, "lvm_vg_dev.list")) as f:
                self.assertEqual(f.read(), "VolGroup00 /dev/%sp2 %s\n" % (name, self.pv_uuid))
            self.assertEqual(kt.data_files(img, name + "p2"), [])
            # Clonezilla's own checker accepts it (it reads the LVM lists and the data files).
            check = kt.run(["ocs-chkimg", "-b", "-nogui", "-or", repo, "lvm-img"], check=False, timeout=600)
        self.assertEqual(check.returncode, 0, check.stdout[-4000:] + check.stderr[-4000:])
        self.assertIn("The image of this partition is restorable: VolGroup00-LogVol00", check.stdout)
        self.assertIn("Swap partition info file found!", check.stdout)
        self.assertEqual(kt.sha256_file(self.disk), self.disk_sha)

    def test_saveparts_of_the_pv_partition(self):
        repo = self.new_repo()
        with kt.partitioned_loop(self.disk) as dev:
            # A dry run shows the LVs under the PV and writes nothing.
            rc, out, err = kt.run_kura("saveparts", "--repo", repo, "--progress=none", "--dry-run", "lvm-parts",
                                       dev + "p2")
            self.assertEqual(rc, 0, kt.describe(rc, out, err))
            self.assertRegex(err, r"%sp2 +<- %sp2 +LVM2_member " % (os.path.basename(dev), dev))
            self.assertRegex(err, r"\n    VolGroup00/LogVol00 <- LV on %sp2 +ext4 " % os.path.basename(dev))
            self.assertEqual(os.listdir(repo), [])
            rc, out, err = kt.run_kura("saveparts", "--repo", repo, "--progress=none", "lvm-parts", dev + "p2")
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        img = os.path.join(repo, "lvm-parts")
        name = os.path.basename(dev) + "p2"
        with open(os.path.join(img, "lvm_vg_dev.list")) as f:
            self.assertEqual(f.read(), "VolGroup00 /dev/%s %s\n" % (name, self.pv_uuid))
        self.assertEqual(kt.data_files(img, name), [])
        self.assertEqual(kt.data_files(img, "VolGroup00-LogVol00"), ["VolGroup00-LogVol00.ext4-ptcl-img.zst.aa"])
        self.assertEqual(kt.sha256_file(self.disk), self.disk_sha)

    # ---- a VG over two disks ----------------------------------------------------

    def two_disk_vg(self, striped=False):
        """Two disk files, each with one PV partition, holding SpanVG, whose LV `data`
        runs from the first PV into the second (two linear segments), or is striped over
        both (one segment, two stripes of 64 KiB)."""
        disks, windows = [], []
        for letter in "ab":
            path = self.path("span%s.img" % letter)
            parts = mbr_disk(path, 40, [(1, None, "8e")])
            disks.append(path)
            windows.append(self.enterContext(ld.loop_window(path, parts[1][0] * 512, parts[1][1] * 512)))
        lvm(windows, "pvcreate", "-q", *windows)
        lvm(windows, "vgcreate", "-q", "-s", "4m", "SpanVG", *windows)
        shape = ["-i", "2", "-I", "64k", "-l", "8"] if striped else ["-l", "100%FREE"]
        lvm(windows, "lvcreate", "-q", "-an", "-Zn", *shape, "-n", "data", "SpanVG")
        self.assertEqual(len(ld.lv_pe_ranges(windows, "SpanVG")["data"]), 2)  # two segments, or two stripes
        uuids = [report(windows, "pvs", "-o", "pv_uuid", w) for w in windows]
        for w in windows:
            kt.run(["losetup", "-d", w])
        return disks, uuids

    def test_vg_with_a_member_outside_the_save_is_refused(self):
        disks, uuids = self.two_disk_vg()
        sha = kt.sha256_file(disks[0])
        repo = self.new_repo()
        rc, out, err = self.savedisk(repo, "half", disks[0])
        self.assertEqual(rc, kt.EXIT_UNSUPPORTED, kt.describe(rc, out, err))
        self.assertIn("volume group SpanVG has physical volumes outside this save: " + uuids[1], err)
        self.assertIn("(in the save: spana1)", err)
        self.assertEqual(kt.sha256_file(disks[0]), sha)
        self.assertEqual(os.listdir(repo), [])

    def test_striped_lv_without_device_mapper_sends_its_pvs_whole(self):
        disks, _ = self.two_disk_vg(striped=True)
        shas = [kt.sha256_file(d) for d in disks]
        repo = self.new_repo()
        rc, out, err = self.savedisk(repo, "whole", *disks)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        plan = out + err
        for pv in ("spana1", "spanb1"):
            self.assertRegex(plan, pv + r": LVM physical volume of SpanVG: copied whole \(dd\) because LV data: .*")
        self.assertIn("device-mapper", plan)
        img = os.path.join(repo, "whole")
        names = os.listdir(img)
        self.assertNotIn("lvm_vg_dev.list", names)
        self.assertEqual(kt.data_files(img, "spana1"), ["spana1.dd-ptcl-img.zst.aa"])
        self.assertEqual(kt.data_files(img, "spanb1"), ["spanb1.dd-ptcl-img.zst.aa"])
        self.assertEqual([kt.sha256_file(d) for d in disks], shas)


    def test_two_lvs_with_one_image_name_are_refused(self):
        # VG web-data's LV x and VG web's LV data-x would both be files "web-data-x.*".
        path = self.path("names.img")
        parts = mbr_disk(path, 40, [(1, 16, "8e"), (17, None, "8e")])
        for number, vg, lv in ((1, "web-data", "x"), (2, "web", "data-x")):
            with ld.loop_window(path, parts[number][0] * 512, parts[number][1] * 512) as pv:
                lvm([pv], "pvcreate", "-q", pv)
                lvm([pv], "vgcreate", "-q", "-s", "4m", vg, pv)
                lvm([pv], "lvcreate", "-q", "-an", "-Zn", "-L", "4m", "-n", lv, vg)
        sha = kt.sha256_file(path)
        repo = self.new_repo()
        rc, out, err = self.savedisk(repo, "names", path)
        self.assertEqual(rc, kt.EXIT_UNSUPPORTED, kt.describe(rc, out, err))
        self.assertIn("LV web-data/x and LV web/data-x would both be named 'web-data-x' in the image; "
                      "rename one (lvrename) and save again", err)
        self.assertEqual(os.listdir(repo), [])
        self.assertEqual(kt.sha256_file(path), sha)

    # ---- LVs that are not imaged as volumes ------------------------------------

    def one_pv_disk(self, name, vg, lvs, edit):
        """A 48 MiB disk file with one PV partition holding `vg` with the linear `lvs`
        [(name, MiB)]; its metadata then rewritten by lvm2 itself (vgcfgbackup, `edit` of
        the text, vgcfgrestore --force), the way LV kinds that need device-mapper to be
        created get onto a disk here. Returns the disk and {lv: byte offset in the disk}."""
        path = self.path(name)
        parts = mbr_disk(path, 48, [(1, None, "8e")])
        start, size = parts[1][0] * 512, parts[1][1] * 512
        with ld.loop_window(path, start, size) as pv:
            lvm([pv], "pvcreate", "-q", pv)
            lvm([pv], "vgcreate", "-q", "-s", "4m", vg, pv)
            for lv, mib in lvs:
                lvm([pv], "lvcreate", "-q", "-an", "-Zn", "-L", "%dm" % mib, "-n", lv, vg)
            pe_start = int(report([pv], "pvs", "-o", "pe_start", pv))
            offsets = {lv: start + pe_start + r[0][1] * EXTENT for lv, r in ld.lv_pe_ranges([pv], vg).items()}
            conf = self.path(vg + ".conf")
            lvm([pv], "vgcfgbackup", "-q", "-f", conf, vg)
            with open(conf) as f:
                text = f.read()
            with open(conf, "w") as f:
                f.write(edit(text))
            lvm([pv], "vgcfgrestore", "-q", "--force", "-f", conf, vg)
        return path, offsets

    @staticmethod
    def hide(text, lv):
        """The LV's status without VISIBLE: a sub-LV of another, as lvm2 writes those."""
        hidden, n = re.subn(r'(\t\t%s \{\n\t\t\tid = "[^"]+"\n\t\t\tstatus = \["READ", "WRITE"), "VISIBLE"\]' % lv,
                            r"\1]", text)
        assert n == 1, text
        return hidden

    @staticmethod
    def add_lv(text, block):
        head, tail = text.split("\tlogical_volumes {\n", 1)
        return head + "\tlogical_volumes {\n" + block + tail

    def test_a_snapshot_is_noted_not_imaged(self):
        snapshot = ('\t\tsnapshot0 {\n\t\t\tid = "Abcdef-1234-5678-9abc-def0-1234-567890"\n'
                    '\t\t\tstatus = ["READ", "WRITE", "VISIBLE"]\n\t\t\tflags = []\n\t\t\tsegment_count = 1\n'
                    '\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = 4\n'
                    '\t\t\t\ttype = "snapshot"\n\t\t\t\tchunk_size = 8\n\t\t\t\torigin = "root"\n'
                    '\t\t\t\tcow_store = "cow"\n\t\t\t}\n\t\t}\n')
        disk, offsets = self.one_pv_disk("snap.img", "SnapVG", [("root", 16), ("cow", 8)],
                                         lambda t: self.add_lv(self.hide(t, "cow"), snapshot))
        with ld.loop_window(disk, offsets["root"], 16 * MiB) as win:
            kt.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", self.boot_tree, win])
        sha = kt.sha256_file(disk)
        repo = self.new_repo()
        rc, out, err = self.savedisk(repo, "snap", disk)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertIn("SnapVG/snapshot0: a snapshot: not imaged", out + err)
        img = os.path.join(repo, "snap")
        with open(os.path.join(img, "lvm_logv.list")) as f:
            logv = f.read()
        self.assertRegex(logv, r"^/dev/SnapVG/root  .*ext4")
        self.assertNotIn("snapshot0", logv)
        self.assertNotIn("cow", logv)
        self.assertEqual(kt.data_files(img, "SnapVG-root"), ["SnapVG-root.ext4-ptcl-img.zst.aa"])
        self.assertEqual([n for n in os.listdir(img) if "snapshot0" in n or "SnapVG-cow" in n], [])
        self.assertEqual(kt.sha256_file(disk), sha)

    def test_a_thin_pool_sends_its_pvs_whole(self):
        pool = ('\t\tpool {\n\t\t\tid = "Pool01-1234-5678-9abc-def0-1234-567890"\n'
                '\t\t\tstatus = ["READ", "WRITE", "VISIBLE"]\n\t\t\tflags = []\n\t\t\tsegment_count = 1\n'
                '\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = 4\n'
                '\t\t\t\ttype = "thin-pool"\n\t\t\t\tmetadata = "pool_tmeta"\n\t\t\t\tpool = "pool_tdata"\n'
                '\t\t\t\ttransaction_id = 0\n\t\t\t\tchunk_size = 128\n\t\t\t\tdiscards = "passdown"\n'
                '\t\t\t\tzero_new_blocks = 1\n\t\t\t}\n\t\t}\n')
        def edit(text):
            # lvcreate refuses the reserved sub-LV names: they are given in the text.
            for sub in ("tdata", "tmeta"):
                text = self.hide(text, sub).replace("\t\t%s {" % sub, "\t\tpool_%s {" % sub)
            return self.add_lv(text, pool)
        disk, _ = self.one_pv_disk("thin.img", "ThinVG", [("tdata", 16), ("tmeta", 4)], edit)
        sha = kt.sha256_file(disk)
        repo = self.new_repo()
        rc, out, err = self.savedisk(repo, "thin", disk)
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        self.assertRegex(out + err, r"thin1: LVM physical volume of ThinVG: copied whole \(dd\) because LV pool: .+")
        img = os.path.join(repo, "thin")
        self.assertNotIn("lvm_vg_dev.list", os.listdir(img))
        self.assertEqual(kt.data_files(img, "thin1"), ["thin1.dd-ptcl-img.zst.aa"])
        self.assertEqual(kt.sha256_file(disk), sha)


if __name__ == "__main__":
    kt.main()
