#!/usr/bin/python3
"""A RHEL-style server through the live ISO: a disk with /boot and an LVM2 physical volume
(VolGroup00: LogVol00 the ext4 root, LogVol01 swap) and a disk pair mirrored with md RAID1
are saved, zeroed and restored, and the restored LVs and array work.

One boot does it all (TCG is slow):
1. the ISO itself: lvm2, mdadm, xfsprogs run; the RAID and dm modules load; with the PV
   attached, nothing was activated or assembled by the boot (/dev/mapper holds only
   control, /proc/mdstat no array, lvs shows the LVs inactive);
2. the md pair is made in the guest by mdadm itself (the host kernel has no md driver, and
   superblocks are never written by hand), with an ext4 filesystem and files on it;
3. `kura savedisk` of the LVM disk and of the pair, every disk zeroed, `kura restoredisk`;
4. in the guest: `vgchange -ay VolGroup00`, the root LV mounted and every file compared
   with the host's tree, the swap LV's UUID and label; the array assembled, clean, both
   members active, the same UUID, its files the same as before the save;
5. on the host: the images pass `kura checkimage` and are laid out as Clonezilla lays out
   LVM and md images (the VG's files, the LVs and the array imaged by their filesystems,
   not the PV or the members copied whole).

The LVM disk is made on the host without device-mapper (lvm_disks.py: lvm2's tools write
the metadata through a loop device limited to the PV, the filesystems are copied into the
LVs' extents).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_case import LiveTestCase, MiB, kt, make_repository_disk  # noqa: E402
import lvm_disks  # noqa: E402  (tests/integration, on the path through e2e_case)

LVM_IMAGE = "lvm-img"
MD_IMAGE = "md-img"
REPO = "dev:vda1"
MD_UUID = re.compile(r"^MD_UUID=([0-9a-f:]+)$", re.M)


def host_files(tree):
    """{path relative to the tree: sha256} of every regular file, as the guest lists them."""
    return {path: digest for path, (kind, digest) in kt.tree_contents(tree).items() if kind == "f"}


class LiveLvmMd(LiveTestCase):
    REQUIRED_TOOLS = LiveTestCase.REQUIRED_TOOLS + ("lvm",)

    def guest_files(self, g, mountpoint):
        """{path: sha256} of every regular file under `mountpoint` in the guest. The list is
        compared on the host: busybox's sha256sum prints names as they are (odd ones
        included), one per line."""
        out, rc = g.run("cd %s && find . -type f -exec sha256sum {} +; cd /" % mountpoint, timeout=300)
        self.assertEqual(rc, 0, out)
        files = {}
        for line in out.splitlines():
            if re.match(r"^[0-9a-f]{64}  \./", line):
                files[line[68:]] = line[:64]
        return files

    def run_ok(self, g, command, timeout=120):
        out, rc = g.run(command, timeout=timeout)
        self.assertEqual(rc, 0, "`%s` failed (%d):\n%s" % (command, rc, out))
        return out

    def test_lvm_disk_and_md_pair_saved_zeroed_restored(self):
        server = lvm_disks.make_lvm_disk(self.tmp, self.path("server.img"), size_mib=256, root_mib=96,
                                         swap_mib=16, two_segments=True)
        boot_files = host_files(self.path("boot-tree"))
        root_files = host_files(self.path("root-tree"))
        pair = []
        for name in ("mirror-a.img", "mirror-b.img"):
            disk = kt.zeroed_file(self.path(name), 128 * MiB)
            kt.run(["sfdisk", "-q", disk], input="label: dos\nstart=2048, type=fd\n")
            pair.append(disk)
        repo = make_repository_disk(self.tmp, self.path("repo.img"), size_mib=400)
        # vda the repository, vdb the LVM disk, vdc and vdd the mirror pair.
        g = self.guest(entry="serial0", drives=["file=%s,if=virtio,format=raw" % d
                                                for d in [repo, server.path] + pair])
        self.walk_to_mode(g, "vda1")
        g.shell_from_mode("Mode")

        # ---- 1. The ISO: tools, modules, and nothing activated by the boot.
        out = self.run_ok(g, "lvm version; mdadm --version 2>&1; xfs_repair -V; xfs_growfs -V; dmsetup --version")
        self.assertRegex(out, r"LVM version: +2\.03\.")
        self.assertRegex(out, r"mdadm - v4\.")
        self.assertRegex(out, r"xfs_repair version 6\.")
        self.assertRegex(out, r"Library version: +1\.02\.")
        out = self.run_ok(g, "cat /proc/cmdline; ls -1 /dev/mapper; cat /proc/mdstat; dmsetup ls")
        self.assertIn("raid=noautodetect", out)
        self.assertRegex(out, r"(?m)^control$")
        self.assertNotRegex(out, r"(?m)^md\d+ :", "an md array was started at boot:\n" + out)
        self.assertIn("No devices found", out)  # dmsetup ls: no map at all
        # lvm sees the PV and its LVs, and neither is active (lv_active empty, no 'a' attr).
        out = self.run_ok(g, "lvs --noheadings -o vg_name,lv_name,lv_attr,lv_active 2>&1")
        self.assertRegex(out, r"VolGroup00 +LogVol00 +-wi------- *\n")
        self.assertRegex(out, r"VolGroup00 +LogVol01 +-wi------- *\n")
        # Neither /init nor what it sources activates or assembles anything.
        out, rc = g.run("grep -nE 'vgchange|pvscan|lvchange|mdadm +(-A|--assemble|-I|--incremental)|raidautorun' "
                        "/init /lib/kura/live-lib.sh")
        self.assertEqual(rc, 1, "/init activates something:\n" + out)
        # The personalities and dm targets load on demand (and are in the ISO).
        out = self.run_ok(g, "modprobe raid1 && modprobe dm-mod && modprobe dm-snapshot && modprobe raid456 && "
                          "cut -d' ' -f1 /proc/modules")
        for module in ("raid1", "dm_mod", "md_mod", "dm_snapshot", "raid456"):
            self.assertRegex(out, r"(?m)^%s$" % module)

        # ---- 2. The md RAID1 pair, made by mdadm in the guest, with files.
        out = self.run_ok(g, "mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.2 --name=data "
                          "/dev/vdc1 /dev/vdd1 2>&1; mdadm --wait /dev/md0; cat /proc/mdstat", timeout=300)
        self.assertRegex(out, r"md0 : active raid1 vdd1\[1\] vdc1\[0\]")
        self.run_ok(g, "mkfs.ext4 -q -L mddata /dev/md0 && mkdir -p /mnt/md && mount /dev/md0 /mnt/md && "
                    "cp -a /usr/share/kura /etc /mnt/md/ && "
                    "dd if=/dev/urandom of=/mnt/md/random.bin bs=1M count=6 2>/dev/null && sync", timeout=180)
        md_files = self.guest_files(g, "/mnt/md")
        self.assertIn("random.bin", md_files)
        out = self.run_ok(g, "umount /mnt/md && mdadm --detail --export /dev/md0 && mdadm --stop /dev/md0 2>&1")
        md_uuid = MD_UUID.search(out).group(1)

        # ---- 3. Save, zero, restore.
        for image, disks in ((LVM_IMAGE, "vdb"), (MD_IMAGE, "vdc vdd")):
            out, rc = g.run("kura savedisk --repo %s -z zstd %s %s >/tmp/%s-save.log 2>&1; echo rc=$?; "
                            "cat /tmp/%s-save.log | grep -vE '^(progress|\\[)' | tail -40"
                            % (REPO, image, disks, image, image), timeout=900)
            print("\n--- kura savedisk %s %s:\n%s" % (image, disks, out), flush=True)
            self.assertIn("rc=0", out, out)
        self.run_ok(g, "for d in vdb vdc vdd; do dd if=/dev/zero of=/dev/$d bs=1M 2>/dev/null; "
                    "blockdev --rereadpt /dev/$d; done; sync", timeout=300)
        out, rc = g.run("blkid -p /dev/vdb /dev/vdc /dev/vdd; echo blkid=$?; grep -E 'vd[bcd][0-9]' /proc/partitions")
        self.assertIn("blkid=2", out, "the zeroed disks still show something:\n" + out)  # 2: nothing found
        self.assertEqual(rc, 1, "the zeroed disks still have partitions:\n" + out)
        for image, disks in ((LVM_IMAGE, "vdb"), (MD_IMAGE, "vdc vdd")):
            out, rc = g.run("kura restoredisk --repo %s --yes %s %s >/tmp/%s-restore.log 2>&1; echo rc=$?; "
                            "grep -vE '^(progress|\\[)' /tmp/%s-restore.log | tail -40"
                            % (REPO, image, disks, image, image), timeout=900)
            print("\n--- kura restoredisk %s %s:\n%s" % (image, disks, out), flush=True)
            self.assertIn("rc=0", out, out)

        # ---- 4. The restored VG and array, in the guest.
        out = self.run_ok(g, "vgchange -ay VolGroup00 2>&1; ls -1 /dev/mapper /dev/VolGroup00; "
                          "lvs --noheadings -o lv_name,lv_attr VolGroup00")
        print("\n--- after restore, vgchange -ay:\n" + out, flush=True)
        self.assertIn("2 logical volume(s) in volume group \"VolGroup00\" now active", out)
        self.assertRegex(out, r"(?m)^VolGroup00-LogVol00$")
        self.assertRegex(out, r"LogVol00 +-wi-a-----")
        self.run_ok(g, "mkdir -p /mnt/root /mnt/boot && mount -o ro /dev/VolGroup00/LogVol00 /mnt/root && "
                    "mount -o ro /dev/vdb1 /mnt/boot")
        self.assertEqual(self.guest_files(g, "/mnt/root"), root_files)
        self.assertEqual(self.guest_files(g, "/mnt/boot"), boot_files)
        out = self.run_ok(g, "blkid /dev/mapper/VolGroup00-LogVol01")
        self.assertIn('UUID="%s"' % server.SWAP_UUID, out)
        self.assertIn('LABEL="%s"' % server.SWAP_LABEL, out)
        self.assertIn('TYPE="swap"', out)
        self.run_ok(g, "umount /mnt/root /mnt/boot && vgchange -an VolGroup00")

        # A restore may leave the array it recreated running (under any name): it is
        # stopped and assembled again from its members, as at the server's next boot.
        out = self.run_ok(g, "mdadm --stop --scan; mdadm --assemble /dev/md0 /dev/vdc1 /dev/vdd1 2>&1; "
                          "mdadm --detail /dev/md0; "
                          "cat /proc/mdstat")
        print("\n--- after restore, mdadm --assemble and --detail:\n" + out, flush=True)
        self.assertRegex(out, r"State : clean *\n")
        self.assertRegex(out, r"Active Devices : 2\n")
        self.assertRegex(out, r"Working Devices : 2\n")
        self.assertRegex(out, r"UUID : %s\n" % md_uuid)
        self.assertRegex(out, r"Name : data *\n")  # as created (no "(none):" host prefix: mdadm.conf)
        self.assertRegex(out, r"md0 : active raid1 .*\n.*\[2/2\] \[UU\]")
        self.run_ok(g, "mount -o ro /dev/md0 /mnt/md")
        self.assertEqual(self.guest_files(g, "/mnt/md"), md_files)
        self.run_ok(g, "umount /mnt/md && mdadm --stop /dev/md0 && sync")
        g.process.send("poweroff\r")
        self.assertTrue(g.wait_exit(120), "the guest did not power off")

        # ---- 5. The images, on the host.
        mnt = self.repository_partition(repo)
        for image in (LVM_IMAGE, MD_IMAGE):
            self.assertKura(kt.run_kura("checkimage", "--repo", mnt, image), 0)
        lvm_image = sorted(os.listdir(os.path.join(mnt, LVM_IMAGE)))
        for name in ("lvm_vg_dev.list", "lvm_logv.list", "lvm_VolGroup00.conf", "swappt-VolGroup00-LogVol01.info"):
            self.assertIn(name, lvm_image)
        self.assertTrue(any(n.startswith("VolGroup00-LogVol00.ext4-ptcl-img") for n in lvm_image), lvm_image)
        self.assertFalse(any(n.startswith("vdb2.") for n in lvm_image), "the PV was copied whole: %s" % lvm_image)
        md_image = sorted(os.listdir(os.path.join(mnt, MD_IMAGE)))
        self.assertTrue(any(re.match(r"md\d+-config\.env$", n) for n in md_image), md_image)
        self.assertFalse(any(re.match(r"vd[cd]1\.", n) for n in md_image), "members copied whole: %s" % md_image)


if __name__ == "__main__":
    kt.main()
