# SPDX-License-Identifier: GPL-3.0-or-later
"""`kura list-disks`: on loop devices the test makes itself, and on fake sysfs trees.

The loop cases attach a GPT disk image holding one ext4 partition and confine kura to it
with --devices, so nothing here depends on (or touches) the disks of the machine running
the tests. The fake-tree cases point kura at a tree shaped like the kernel's /sys
(KURA_SYSFS_ROOT, for tests only): an FC LUN over two paths joined by dm-multipath is
listed once as the map, and USB, NVMe and FC transports are named.
"""

import contextlib
import json
import os
import re
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402

MiB = kt.MiB
DISK_SIZE = 64 * MiB
PART_START = 2048           # sectors
PART_SIZE = 40 * MiB // 512  # sectors
LABEL = "kura-listed"

_OWN_PARTITION = re.compile(r"^/dev/loop\d+p\d+$")


@contextlib.contextmanager
def mounted_partition(part, mountpoint):
    """Mount one of the test's own loop partitions; unmount afterwards, also on failure."""
    if not _OWN_PARTITION.match(part):
        raise ValueError("tests only mount their own loop partitions: %s" % part)
    os.makedirs(mountpoint, exist_ok=True)
    kt.run(["mount", "-t", "ext4", part, mountpoint])
    try:
        yield mountpoint
    finally:
        for _ in range(20):
            if kt.run(["umount", mountpoint], check=False).returncode == 0:
                break
            time.sleep(0.25)
        else:
            kt.run(["umount", "-l", mountpoint], check=False)


def table_rows(out):
    """{first word: line} of a list-disks table (partition rows keep their |- or `- mark)."""
    lines = out.splitlines()
    return {line.split()[0]: line for line in lines[1:] if line.strip()}


class ListDisksOnLoop(kt.KuraTestCase):

    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("sfdisk", "partx", "mount", "umount")

    def setUp(self):
        super().setUp()
        self.image = kt.zeroed_file(self.path("disk.img"), DISK_SIZE)
        kt.run(["sfdisk", "-q", self.image],
               input="label: gpt\nstart=%d, size=%d, type=linux, name=data\n" % (PART_START, PART_SIZE))
        self.dev = self.enterContext(kt.partitioned_loop(self.image))
        self.name = os.path.basename(self.dev)
        self.part = self.dev + "p1"
        for _ in range(40):
            if os.path.exists(self.part):
                break
            time.sleep(0.25)
        self.assertTrue(os.path.exists(self.part), "the kernel did not create " + self.part)
        kt.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", LABEL, self.part])
        self.uuid = kt.run(["blkid", "-p", "-o", "value", "-s", "UUID", self.part]).stdout.strip()
        self.assertTrue(self.uuid)

    def list_json(self, *devices):
        rc, out, err = kt.run_kura("list-disks", "--json", "--devices", ",".join(devices))
        self.assertEqual(rc, kt.EXIT_OK, kt.describe(rc, out, err))
        doc = json.loads(out)
        self.assertEqual(doc["verb"], "list-disks")
        return doc["disks"]

    def test_table_shows_the_loop_disk_and_its_partition(self):
        rc, out, err = kt.run_kura("list-disks", "--devices", self.dev)
        self.assertEqual(rc, kt.EXIT_OK, kt.describe(rc, out, err))
        self.assertEqual(out.splitlines()[0].split(),
                         ["NAME", "SIZE", "TRAN", "MODEL", "SERIAL/WWID", "FSTYPE", "LABEL", "NOTE"])
        rows = table_rows(out)
        self.assertEqual(sorted(rows), sorted([self.name, "`-" + self.name + "p1"]), out)
        disk = rows[self.name]
        self.assertIn(" 67.1 MB ", disk)  # 64 MiB in kura's decimal units
        self.assertIn(" loop ", disk)
        self.assertIn("backing file " + os.path.realpath(self.image), disk)
        self.assertNotIn("not a target", disk)
        part = rows["`-" + self.name + "p1"]
        self.assertRegex(part, r" 41\.9 MB +ext4 +%s$" % LABEL)  # 40 MiB

    def test_json_has_size_partition_filesystem_label_and_uuid(self):
        disks = self.list_json(self.dev)
        self.assertEqual(len(disks), 1, disks)
        d = disks[0]
        self.assertEqual(d["name"], self.name)
        self.assertEqual(d["path"], self.dev)
        self.assertEqual(d["transport"], "loop")
        self.assertEqual(d["identity"], self.dev)
        self.assertEqual(d["size_bytes"], DISK_SIZE)
        self.assertEqual(d["logical_sector_size"], 512)
        self.assertEqual(d["backing_file"], os.path.realpath(self.image))
        self.assertEqual(d["devno"], "%d:%d" % (os.major(os.stat(self.dev).st_rdev),
                                                 os.minor(os.stat(self.dev).st_rdev)))
        self.assertTrue(d["target_ok"], d["refusal"])
        self.assertEqual(d["refusal"], "")
        self.assertFalse(d["holds_running_system"])
        self.assertEqual(d["fs_type"], "")  # the filesystem is in the partition, not on the disk
        self.assertEqual(len(d["partitions"]), 1, d)
        p = d["partitions"][0]
        self.assertEqual(p["name"], self.name + "p1")
        self.assertEqual(p["path"], self.part)
        self.assertEqual(p["number"], 1)
        self.assertEqual(p["start_bytes"], PART_START * 512)
        self.assertEqual(p["size_bytes"], PART_SIZE * 512)
        self.assertEqual(p["fs_type"], "ext4")
        self.assertEqual(p["label"], LABEL)
        self.assertEqual(p["uuid"], self.uuid)
        self.assertEqual(p["mount_points"], [])
        # Stable keys: scripts may rely on every one of them being there.
        self.assertEqual(sorted(d), sorted([
            "name", "path", "devno", "identity", "size_bytes", "logical_sector_size",
            "physical_sector_size", "model", "vendor", "serial", "wwid", "transport",
            "path_transport", "removable", "read_only", "rotational", "holders", "paths",
            "backing_file", "fs_type", "label", "uuid", "mount_points", "holds_running_system",
            "target_ok", "refusal", "partitions"]))

    def test_mounted_partition_refuses_the_disk(self):
        mnt = self.enterContext(mounted_partition(self.part, self.path("mnt")))
        d = self.list_json(self.dev)[0]
        self.assertFalse(d["target_ok"])
        self.assertEqual(d["refusal"], "its partition %sp1 is mounted at %s" % (self.name, mnt))
        self.assertEqual(d["partitions"][0]["mount_points"], [mnt])

        rc, out, err = kt.run_kura("list-disks", "--devices", self.dev)
        self.assertEqual(rc, kt.EXIT_OK, kt.describe(rc, out, err))
        rows = table_rows(out)
        self.assertIn("not a target: its partition %sp1 is mounted at %s" % (self.name, mnt), rows[self.name])
        self.assertIn("mounted at " + mnt, rows["`-" + self.name + "p1"])

    def test_image_file_attached_to_a_loop_is_refused(self):
        disks = self.list_json(self.image)
        self.assertEqual(len(disks), 1, disks)
        f = disks[0]
        self.assertEqual(f["transport"], "file")
        self.assertEqual(f["path"], os.path.realpath(self.image))
        self.assertEqual(f["size_bytes"], DISK_SIZE)
        self.assertIn("it is attached to " + self.dev, f["refusal"])

    def test_unknown_device_and_partition_are_errors(self):
        rc, out, err = kt.run_kura("list-disks", "--devices", "/dev/kura-no-such-disk")
        self.assertEqual(rc, kt.EXIT_REFUSED, kt.describe(rc, out, err))
        self.assertIn("no disk named /dev/kura-no-such-disk (it may have been removed)", err)
        self.assertEqual(out, "")

        rc, out, err = kt.run_kura("list-disks", "--devices", "%s,wwid:kura-no-such-wwid" % self.dev)
        self.assertEqual(rc, kt.EXIT_REFUSED, kt.describe(rc, out, err))
        self.assertIn("no disk named wwid:kura-no-such-wwid", err)

        rc, out, err = kt.run_kura("list-disks", "--devices", self.part)
        self.assertEqual(rc, kt.EXIT_REFUSED, kt.describe(rc, out, err))
        self.assertIn("%s is a partition of %s, not a whole disk" % (self.part, self.name), err)

        rc, out, err = kt.run_kura("list-disks", "--devices=")
        self.assertEqual(rc, kt.EXIT_USAGE, kt.describe(rc, out, err))

    def test_detached_loop_is_gone(self):
        dev = self.dev
        kt.run(["partx", "-d", dev], check=False)
        kt.run(["losetup", "-d", dev])
        rc, out, err = kt.run_kura("list-disks", "--devices", dev)
        self.assertEqual(rc, kt.EXIT_REFUSED, kt.describe(rc, out, err))
        self.assertIn("no disk named " + dev, err)


# ------------------------------------------------------------------------------------
# Fake sysfs trees (the same shape as tests/unit/fake_sysfs.h)

class FakeSysfs:
    def __init__(self, base):
        self.sys = os.path.join(base, "sys")
        for d in ("block", "class/block", "dev/block"):
            os.makedirs(os.path.join(self.sys, d))

    def _write(self, path, content):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content + "\n")

    def _link(self, at, target):
        os.makedirs(os.path.dirname(at), exist_ok=True)
        os.symlink(os.path.relpath(target, os.path.dirname(at)), at)

    def dir_of(self, name):
        return os.path.realpath(os.path.join(self.sys, "class/block", name))

    def disk(self, device_path, major, minor, sectors, **files):
        d = os.path.join(self.sys, "devices", device_path)
        name = os.path.basename(d)
        os.makedirs(os.path.join(d, "holders"))
        os.makedirs(os.path.join(d, "slaves"))
        for rel, value in (("dev", "%d:%d" % (major, minor)), ("size", str(sectors)), ("ro", "0"),
                           ("removable", "0"), ("queue/logical_block_size", "512"),
                           ("queue/physical_block_size", "512"), ("queue/rotational", "0")):
            self._write(os.path.join(d, rel), value)
        if not device_path.startswith("virtual/"):
            parent = os.path.dirname(d)
            if os.path.basename(parent) == "block":
                parent = os.path.dirname(parent)
            self._link(os.path.join(d, "device"), parent)
        self._link(os.path.join(self.sys, "block", name), d)
        self._link(os.path.join(self.sys, "class/block", name), d)
        self._link(os.path.join(self.sys, "dev/block", "%d:%d" % (major, minor)), d)
        for rel, value in files.items():
            self.set(name, rel.replace("__", "/"), value)
        return name

    def set(self, name, rel, value):
        self._write(os.path.join(self.dir_of(name), rel), value)

    def hold(self, holder, slave):
        self._link(os.path.join(self.dir_of(slave), "holders", holder), self.dir_of(holder))
        self._link(os.path.join(self.dir_of(holder), "slaves", slave), self.dir_of(slave))


class ListDisksOnFakeSysfs(kt.KuraTestCase):

    LUN = "naa.600508b4000156d700012000000b0000"

    def setUp(self):
        super().setUp()
        t = self.tree = FakeSysfs(self.tmp)
        for name, hba, minor in (("sdb", "0000:05:00.0/host1/rport-1:0-0/target1:0:0/1:0:0:1", 16),
                                 ("sdc", "0000:05:00.1/host2/rport-2:0-0/target2:0:0/2:0:0:1", 32)):
            t.disk("pci0000:00/0000:00:03.0/%s/block/%s" % (hba, name), 8, minor, 209715200,
                   device__wwid=self.LUN, device__vendor="HP      ", device__model="MSA2040 SAN     ")
        t.disk("virtual/block/dm-0", 253, 0, 209715200, dm__name="mpatha",
               dm__uuid="mpath-3600508b4000156d700012000000b0000")
        t.hold("dm-0", "sdb")
        t.hold("dm-0", "sdc")
        t.disk("pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdd", 8, 48,
               60062500, removable="1", device__vendor="SanDisk ", device__model="Ultra")
        t._write(os.path.join(t.sys, "devices/pci0000:00/0000:00:14.0/usb2/2-1/idVendor"), "0781")
        t._write(os.path.join(t.sys, "devices/pci0000:00/0000:00:14.0/usb2/2-1/serial"), "4C5300012301")
        t.disk("pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1", 259, 0, 1953525168,
               wwid="eui.0025388b71b0b6d1", device__serial="S4EWNX0N123456   ",
               device__model="Samsung SSD 970 EVO Plus 1TB")

    def kura(self, *args):
        env = dict(os.environ, KURA_SYSFS_ROOT=self.tree.sys)
        proc = kt.run([kt.KURA_BIN, "list-disks", *args], check=False, env=env)
        self.assertEqual(proc.returncode, kt.EXIT_OK, kt.describe(proc.returncode, proc.stdout, proc.stderr))
        return proc.stdout

    def test_multipath_lun_is_listed_once_and_transports_are_named(self):
        rows = table_rows(self.kura())
        self.assertEqual(sorted(rows), ["mpatha", "nvme0n1", "sdd"])
        self.assertRegex(rows["mpatha"], r"^mpatha +107\.4 GB +fc +MSA2040 SAN +wwid:%s +multipath map of sdb, sdc"
                         % re.escape(self.LUN))
        self.assertRegex(rows["sdd"], r"^sdd +30\.8 GB +usb +Ultra +serial:4C5300012301( |$)")
        self.assertRegex(rows["nvme0n1"], r"^nvme0n1 +1\.0 TB +nvme +Samsung SSD 970 EVO Plus 1TB +"
                                          r"wwid:eui\.0025388b71b0b6d1( |$)")

        disks = {d["name"]: d for d in json.loads(self.kura("--json"))["disks"]}
        self.assertEqual(sorted(disks), ["dm-0", "nvme0n1", "sdd"])
        lun = disks["dm-0"]
        self.assertEqual((lun["path"], lun["transport"], lun["path_transport"], lun["paths"], lun["identity"]),
                         ("/dev/mapper/mpatha", "multipath", "fc", ["sdb", "sdc"], "wwid:" + self.LUN))
        self.assertEqual(disks["sdd"]["transport"], "usb")
        self.assertTrue(disks["sdd"]["removable"])
        self.assertEqual(disks["nvme0n1"]["transport"], "nvme")
        self.assertEqual(disks["nvme0n1"]["serial"], "S4EWNX0N123456")

    def test_a_path_names_its_map(self):
        for name in ("sdc", "mpatha", "wwid:" + self.LUN):
            disks = json.loads(self.kura("--json", "--devices", name))["disks"]
            self.assertEqual([d["name"] for d in disks], ["dm-0"], name)
        both = json.loads(self.kura("--json", "--devices", "sdb,sdc,serial:S4EWNX0N123456"))["disks"]
        self.assertEqual([d["name"] for d in both], ["dm-0", "nvme0n1"])


if __name__ == "__main__":
    kt.main()
