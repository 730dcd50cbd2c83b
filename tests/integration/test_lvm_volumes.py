# SPDX-License-Identifier: GPL-3.0-or-later
"""LVM2 read without activation: kura's PV label, metadata-area and metadata-text reader
against volume groups that lvm2's own tools wrote onto loop devices this test makes.

The host kernel has no device-mapper, so lvm2 runs with activation=0 and --devices (it
then never sees another PV on the machine and writes nothing under /etc/lvm), and the
filesystems are made through loop windows at the LVs' offsets or built in a file and
scattered into the extents where `lvs -o seg_pe_ranges` says they are. What kura read is
checked through `kura list-disks --json` (volume_groups: segments, pieces, filesystem and
used bytes read through kura's own LV node) and its table. Hostile cases damage the
label, a metadata-area header, the text's CRC and the text itself (with CRCs made
right), and assert the exit code, the message and that kura changed no byte.
"""

import contextlib
import hashlib
import json
import os
import re
import struct
import sys
import zlib

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402
import lvm_disks as ld  # noqa: E402

MiB = kt.MiB
EXTENT = 4 * MiB
SOURCE_UNSUPPORTED = 5
_OWN_LOOP = re.compile(r"^/dev/loop\d+$")


def lvm_crc(data):
    """lvm2's calc_crc: the reflected CRC-32 register seeded 0xf597a6cf, no final inversion."""
    return (~zlib.crc32(data, (~0xf597a6cf) & 0xffffffff)) & 0xffffffff


@contextlib.contextmanager
def loop_window(device, offset, size):
    """A loop device over [offset, offset+size) of one of the test's own loop devices."""
    if not _OWN_LOOP.match(device):
        raise ValueError("windows only over the test's own loop devices: %s" % device)
    win = kt.run(["losetup", "-f", "--show", "-o", offset, "--sizelimit", size, device]).stdout.strip()
    if not _OWN_LOOP.match(win):
        raise AssertionError("unexpected losetup answer: %r" % win)
    try:
        yield win
    finally:
        kt.run(["losetup", "-d", win], check=False)


def write_at(device, offset, data):
    # Through the device itself, so the block device's cache never holds older bytes.
    with open(device, "r+b") as f:
        f.seek(offset)
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def read_at(device, offset, length):
    with open(device, "rb") as f:
        f.seek(offset)
        return f.read(length)


def device_sha256(device):
    h = hashlib.sha256()
    with open(device, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


class LvmVolumesTest(kt.KuraTestCase):
    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + ("lvm", "partx")

    # ---- fixtures ---------------------------------------------------------------

    def new_pvs(self, count, size=64 * MiB):
        """`count` fresh loop devices, each over its own sparse file, stale partitions cleared."""
        devices = []
        for i in range(count):
            backing = kt.zeroed_file(self.path("pv%d.img" % i), size)
            dev = self.attach_loop(backing)
            kt.run(["partx", "-d", dev], check=False)
            devices.append(dev)
        self.devices = devices
        return devices

    def lvm(self, *args):
        """An lvm2 command that sees only this test's devices."""
        return ld.lvm(args[0], self.devices, *args[1:])

    def lvs_ranges(self, vg):
        """{lv: [(device, first_pe, last_pe) per area, in LV order]} as lvm2 reports them."""
        return ld.lv_pe_ranges(self.devices, vg)

    def kura_listing(self, expected_rc=0):
        rc, out, err = kt.run_kura("list-disks", "--json", "--devices", ",".join(self.devices))
        self.assertEqual(rc, expected_rc, kt.describe(rc, out, err))
        doc = json.loads(out)
        return {vg["name"]: vg for vg in doc["volume_groups"]}, err

    def kura_table(self):
        rc, out, err = kt.run_kura("list-disks", "--devices", ",".join(self.devices))
        self.assertEqual(rc, 0, kt.describe(rc, out, err))
        return out

    def pv_device(self, vg, pv_name):
        return next(pv["device"] for pv in vg["pvs"] if pv["name"] == pv_name)

    def kura_areas(self, vg, lv):
        """The same shape as lvs_ranges, from what kura parsed."""
        areas = []
        for seg in lv["segments"]:
            for a in seg["areas"]:
                areas.append((self.pv_device(vg, a["pv"]), a["first_extent"],
                              a["first_extent"] + a["extent_count"] - 1))
        return areas

    def gather(self, vg, lv):
        """The LV's bytes read where kura's pieces say they are."""
        data = bytearray()
        for p in lv["pieces"]:
            self.assertEqual(p["lv_offset"], len(data))
            data += read_at(self.pv_device(vg, p["pv"]), p["pv_offset"], p["length"])
        self.assertEqual(len(data), lv["size"])
        return bytes(data)

    def scatter(self, image, ranges, pe_start):
        """Writes `image` into the LV's extents as lvm2 reports them (linear segments)."""
        with open(image, "rb") as f:
            for dev, first, last in ranges:
                chunk = f.read((last - first + 1) * EXTENT)
                write_at(dev, pe_start + first * EXTENT, chunk)

    def mda_header(self, device, area_offset=4096):
        h = read_at(device, area_offset, 512)
        start, size = struct.unpack_from("<QQ", h, 24)
        offset, text_size, crc, flags = struct.unpack_from("<QQII", h, 40)
        return {"start": start, "size": size, "offset": offset, "text_size": text_size, "crc": crc,
                "flags": flags}

    def assert_refused(self, expected_rc, *fragments):
        before = [device_sha256(d) for d in self.devices]
        rc, out, err = kt.run_kura("list-disks", "--devices", ",".join(self.devices))
        self.assertEqual(rc, expected_rc, kt.describe(rc, out, err))
        for fragment in fragments:
            self.assertIn(fragment, err, kt.describe(rc, out, err))
        # The disks are still listed above the error.
        for d in self.devices:
            self.assertIn(os.path.basename(d), out)
        self.assertEqual([device_sha256(d) for d in self.devices], before, "kura changed a PV")

    # ---- the volume group two PVs hold ---------------------------------------------

    def make_two_pv_group(self):
        a, b = self.new_pvs(2)
        self.lvm("pvcreate", a, b)
        self.lvm("vgcreate", "-s", "4m", "VolGroup00", a, b)
        self.lvm("lvcreate", "-an", "-Zn", "-n", "LogVol00", "-L", "20m", "VolGroup00", a)
        self.lvm("lvcreate", "-an", "-Zn", "-n", "LogVol01", "-L", "12m", "VolGroup00", a)
        # Grown onto the other PV: two segments.
        self.lvm("lvextend", "-L", "+8m", "VolGroup00/LogVol01", b)
        self.lvm("lvcreate", "-an", "-Zn", "-n", "striped", "-i", "2", "-I", "64k", "-L", "16m", "VolGroup00")
        return a, b

    def test_two_pvs_linear_grown_and_striped(self):
        a, b = self.make_two_pv_group()
        ranges = self.lvs_ranges("VolGroup00")
        self.assertEqual(len(ranges["LogVol01"]), 2)
        self.assertEqual({d for d, _, _ in ranges["LogVol01"]}, {a, b})
        pe_start = 1 * MiB  # lvm2's default first PE

        # LogVol00 is one run in pv0: an ext4 made through a loop window at its offset.
        dev, first, last = ranges["LogVol00"][0]
        tree = self.path("tree")
        kt.make_tree(tree, seed=17, big_mib=4, small_files=40)
        with loop_window(dev, pe_start + first * EXTENT, (last - first + 1) * EXTENT) as win:
            kt.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, win])
            dumpe2fs = kt.run(["dumpe2fs", "-h", win]).stdout
            lv00_sha = device_sha256(win)
        fields = dict(re.findall(r"^(Block count|Free blocks|Block size):\s+(\d+)$", dumpe2fs, re.M))
        used = (int(fields["Block count"]) - int(fields["Free blocks"])) * int(fields["Block size"])

        # LogVol01 spans both PVs: an ext4 built in a file and scattered by lvm2's ranges.
        image = kt.make_ext(self.path("lv01.ext4"), 20 * MiB, ["-t", "ext4"])
        self.scatter(image, ranges["LogVol01"], pe_start)
        # The striped LV gets random bytes, written chunk by chunk by dm-stripe's rule as
        # this test computes it (independently of kura).
        striped_data = os.urandom(16 * MiB)
        chunk = 64 * 1024
        stripes = ranges["striped"]
        per_stripe = (stripes[0][2] - stripes[0][1] + 1) * EXTENT
        for k in range(len(striped_data) // chunk):
            dev, first, _ = stripes[k % 2]
            row = k // 2
            self.assertLess(row * chunk, per_stripe)
            write_at(dev, pe_start + first * EXTENT + row * chunk, striped_data[k * chunk:(k + 1) * chunk])

        vgs, _ = self.kura_listing()
        vg = vgs["VolGroup00"]
        self.assertEqual(vg["missing"], [])
        self.assertEqual(vg["extent_size"], EXTENT)
        lvs = {lv["name"]: lv for lv in vg["lvs"]}
        self.assertEqual(sorted(lvs), ["LogVol00", "LogVol01", "striped"])
        # Kura's extents are lvm2's.
        for name in lvs:
            self.assertEqual(self.kura_areas(vg, lvs[name]), ranges[name], name)
        self.assertEqual(lvs["LogVol00"]["layout"], "linear")
        self.assertEqual(lvs["LogVol01"]["layout"], "linear")
        self.assertEqual(lvs["striped"]["layout"], "striped")
        self.assertEqual(lvs["striped"]["segments"][0]["stripe_size"], 64 * 1024)
        # The bytes where kura says the LVs are hold what was put there.
        self.assertEqual(hashlib.sha256(self.gather(vg, lvs["LogVol00"])).hexdigest(), lv00_sha)
        with open(image, "rb") as f:
            self.assertEqual(self.gather(vg, lvs["LogVol01"]), f.read())
        self.assertEqual(self.gather(vg, lvs["striped"]), striped_data)
        # Through kura's own node (a loop window: one piece), libblkid and kura's ext reader
        # see LogVol00's filesystem.
        self.assertEqual(lvs["LogVol00"]["fs_type"], "ext4")
        self.assertEqual(lvs["LogVol00"]["used_bytes"], used)
        self.assertEqual(lvs["LogVol00"]["size"], 20 * MiB)
        # Without device-mapper the others have no node, and the listing says why.
        self.assertEqual(lvs["LogVol01"]["note"], "it has 2 segments and this kernel has no device-mapper")
        self.assertEqual(lvs["striped"]["note"], "it is striped and this kernel has no device-mapper")

        table = self.kura_table()
        lines = table.splitlines()
        row_a = next(i for i, l in enumerate(lines) if l.startswith(os.path.basename(a) + " "))
        self.assertRegex(lines[row_a + 1], r"^    VolGroup00/LogVol00  ext4  [0-9.]+ [kM]B used of 21\.0 MB$")
        self.assertIn("VolGroup00/LogVol01  21.0 MB  (it has 2 segments and this kernel has no device-mapper)",
                      table)
        self.assertIn("(a PV of VolGroup00, listed under %s)" % os.path.basename(a), table)

    def test_missing_pv_is_named(self):
        a, b = self.make_two_pv_group()
        pv_b = self.lvm("pvs", "--noheadings", "-o", "pv_uuid", b).stdout.strip()
        self.devices = [a]
        vgs, _ = self.kura_listing()
        vg = vgs["VolGroup00"]
        self.assertEqual(vg["missing"], ["%s (last seen as %s)" % (pv_b, b)])
        self.assertIn("VolGroup00  missing PV %s (last seen as %s)" % (pv_b, b), self.kura_table())
        self.devices = [a, b]

    def test_pv_on_two_devices_is_refused(self):
        a, b = self.make_two_pv_group()
        # A byte-for-byte copy of b (a cloned disk) carries b's PV UUID.
        clone = self.attach_loop(kt.zeroed_file(self.path("clone.img"), 64 * MiB))
        kt.run(["partx", "-d", clone], check=False)
        write_at(clone, 0, read_at(b, 0, 64 * MiB))
        pv_b = self.lvm("pvs", "--noheadings", "-o", "pv_uuid", b).stdout.strip()
        self.devices = [a, b, clone]
        self.assert_refused(SOURCE_UNSUPPORTED, "PV %s of volume group VolGroup00 is on two devices: %s and %s"
                            % (pv_b, b, clone), "(a cloned disk? lvm2 would pick one; kura will not)")

    def test_half_written_change_is_refused(self):
        a, b = self.make_two_pv_group()
        # b's label and metadata area as they were before one more change...
        before = read_at(b, 0, MiB)
        self.lvm("lvcreate", "-an", "-Zn", "-n", "late", "-L", "4m", "VolGroup00", a)
        seqno = int(self.lvm("vgs", "--noheadings", "-o", "seqno", "VolGroup00").stdout)
        # ...put back: the change reached a but not b.
        write_at(b, 0, before)
        self.assert_refused(SOURCE_UNSUPPORTED,
                            "the PVs of volume group VolGroup00 disagree: %s has metadata seqno %d, another has %d"
                            % (os.path.basename(b), seqno - 1, seqno), "vgck --updatemetadata")

    def test_two_groups_of_one_name_are_refused(self):
        a, b = self.new_pvs(2)
        for dev in (a, b):
            self.devices = [dev]  # each VG made where lvm2 sees only its own PV
            self.lvm("pvcreate", dev)
            self.lvm("vgcreate", "-s", "4m", "data", dev)
        self.devices = [a, b]
        self.assert_refused(SOURCE_UNSUPPORTED, "two different volume groups are named data (ids ")

    def test_ignored_area_takes_the_group_from_the_other_pv(self):
        a, b = self.make_two_pv_group()
        self.lvm("pvchange", "--metadataignore", "y", b)
        self.assertEqual(self.mda_header(b)["flags"] & 1, 1)
        vgs, _ = self.kura_listing()
        vg = vgs["VolGroup00"]
        self.assertEqual(vg["missing"], [])
        self.assertEqual(sorted(pv["device"] for pv in vg["pvs"]), sorted([a, b]))
        # With only the PV whose area is ignored, the VG cannot be told: nothing is listed.
        self.devices = [b]
        vgs, _ = self.kura_listing()
        self.assertEqual(vgs, {})
        self.devices = [a, b]

    # ---- metadata areas --------------------------------------------------------------

    def test_small_area_wraps_and_newest_text_is_read(self):
        (a,) = self.new_pvs(1)
        # 64 KiB alignment keeps the area at its minimum (with 1 MiB it would fill up to the
        # first extent).
        self.lvm("pvcreate", "--metadatasize", "32k", "--dataalignment", "64k", a)
        self.lvm("vgcreate", "-s", "4m", "wrapvg", a)
        for i in range(6):
            self.lvm("lvcreate", "-an", "-Zn", "-n", "lv%d" % i, "-L", "4m", "wrapvg")
        # Renames rewrite the whole text each time; the 32 KiB buffer wraps within a few dozen.
        wrapped = False
        for i in range(200):
            self.lvm("lvrename", "wrapvg", "lv0" if i % 2 == 0 else "renamed", "renamed" if i % 2 == 0 else "lv0")
            h = self.mda_header(a)
            if h["offset"] + h["text_size"] > h["size"]:
                wrapped = True
                break
        self.assertTrue(wrapped, "lvm2 never wrapped the metadata text: %r" % h)
        vgs, _ = self.kura_listing()
        names = sorted(lv["name"] for lv in vgs["wrapvg"]["lvs"])
        expected = sorted(self.lvm("lvs", "--noheadings", "-o", "lv_name", "wrapvg").stdout.split())
        self.assertEqual(names, expected)
        seqno = int(self.lvm("vgs", "--noheadings", "-o", "seqno", "wrapvg").stdout)
        self.assertEqual(vgs["wrapvg"]["seqno"], seqno)

    def make_two_area_pv(self):
        (a,) = self.new_pvs(1)
        self.lvm("pvcreate", "--pvmetadatacopies", "2", a)
        self.lvm("vgcreate", "-s", "4m", "twovg", a)
        self.lvm("lvcreate", "-an", "-Zn", "-n", "data", "-L", "8m", "twovg")
        # The second area sits at the end of the PV; the label says where.
        label = read_at(a, 512, 512)
        header_at = struct.unpack_from("<I", label, 20)[0]
        p = header_at + 32 + 8
        while struct.unpack_from("<QQ", label, p) != (0, 0):
            p += 16
        p += 16
        areas = []
        while struct.unpack_from("<QQ", label, p) != (0, 0):
            areas.append(struct.unpack_from("<QQ", label, p))
            p += 16
        self.assertEqual(len(areas), 2)
        return a, areas

    def test_two_areas_one_damaged_reads_the_other(self):
        a, areas = self.make_two_area_pv()
        write_at(a, areas[0][0] + 100, b"\xff\xfe")  # the first header's CRC no longer matches
        vgs, _ = self.kura_listing()
        self.assertEqual([lv["name"] for lv in vgs["twovg"]["lvs"]], ["data"])

    def test_two_areas_both_damaged_is_refused(self):
        a, areas = self.make_two_area_pv()
        for offset, _ in areas:
            write_at(a, offset + 100, b"\xff\xfe")
        self.assert_refused(SOURCE_UNSUPPORTED,
                            "the LVM metadata of %s is damaged: the metadata area at byte %d has a bad header CRC; "
                            "the metadata area at byte %d has a bad header CRC"
                            % (os.path.basename(a), areas[0][0], areas[1][0]))

    # ---- damage ----------------------------------------------------------------------

    def make_one_pv_group(self):
        (a,) = self.new_pvs(1)
        self.lvm("pvcreate", a)
        self.lvm("vgcreate", "-s", "4m", "hurtvg", a)
        self.lvm("lvcreate", "-an", "-Zn", "-n", "root", "-L", "8m", "hurtvg")
        return a

    def test_damaged_label_is_refused(self):
        a = self.make_one_pv_group()
        label = bytearray(read_at(a, 512, 512))
        label[100] ^= 0xff  # inside the CRC'd part (the area list)
        write_at(a, 512, bytes(label))
        self.assert_refused(SOURCE_UNSUPPORTED, "the LVM label of %s is damaged: label CRC mismatch"
                            % os.path.basename(a))

    def test_label_pointing_outside_the_device_is_refused(self):
        a = self.make_one_pv_group()
        label = bytearray(read_at(a, 512, 512))
        header_at = struct.unpack_from("<I", label, 20)[0]
        # The metadata area's offset (after the data area and its terminator), CRC made right.
        mda = header_at + 32 + 8 + 16 + 16
        struct.pack_into("<Q", label, mda, 1 << 40)
        struct.pack_into("<I", label, 16, lvm_crc(bytes(label[20:])))
        write_at(a, 512, bytes(label))
        self.assert_refused(SOURCE_UNSUPPORTED, "the LVM label of %s is damaged: a metadata area (offset %d"
                            % (os.path.basename(a), 1 << 40), "lies outside the device")

    def test_damaged_text_crc_is_refused(self):
        a = self.make_one_pv_group()
        h = self.mda_header(a)
        self.assertLessEqual(h["offset"] + h["text_size"], h["size"])
        at = h["start"] + h["offset"] + 20
        write_at(a, at, bytes([read_at(a, at, 1)[0] ^ 0x20]))
        self.assert_refused(SOURCE_UNSUPPORTED, "the LVM metadata of %s is damaged: the metadata area at byte 4096 "
                            "holds text whose CRC does not match" % os.path.basename(a))

    def rewrite_text(self, device, edit):
        """Replaces the committed text with edit(text), same length, CRCs made right."""
        h = self.mda_header(device)
        at = h["start"] + h["offset"]
        text = read_at(device, at, h["text_size"])
        new = edit(text)
        self.assertEqual(len(new), len(text))
        write_at(device, at, new)
        header = bytearray(read_at(device, h["start"], 512))
        struct.pack_into("<I", header, 56, lvm_crc(new))
        struct.pack_into("<I", header, 0, lvm_crc(bytes(header[4:])))
        write_at(device, h["start"], bytes(header))

    def test_text_with_extents_beyond_the_pv_is_refused(self):
        a = self.make_one_pv_group()
        # The PV shrinks to one extent under the LV's two.
        self.rewrite_text(a, lambda t: t.replace(b"pe_count = 15", b"pe_count = 01", 1))
        self.assert_refused(SOURCE_UNSUPPORTED,
                            "the LVM metadata of %s is not valid: LV root segment1: extents 0..1 of pv0 are beyond "
                            "its 1 extents" % os.path.basename(a))

    def test_text_with_broken_syntax_is_refused(self):
        a = self.make_one_pv_group()
        self.rewrite_text(a, lambda t: t.replace(b"seqno = ", b"seqno ! ", 1))
        self.assert_refused(SOURCE_UNSUPPORTED, "the LVM metadata of %s is not valid: line 3: expected '='"
                            % os.path.basename(a))


if __name__ == "__main__":
    kt.main()
