# SPDX-License-Identifier: GPL-3.0-or-later
"""Server disks with LVM2, built on a machine without device-mapper: lvm2's own tools
write the labels and metadata (activation off, limited to the test's own loop device, no
archive or backup files in /etc/lvm), and the filesystems are made as files and copied to
where the LVs' extents lie in the PV, as the metadata says. Nothing here writes LVM
structures by hand."""
import contextlib
import json
import os
import shutil

import disk_images as di
import kuratest as kt
from kuratest import MiB, run

# What every lvm2 command of the tests runs with (see docs/architecture.md, "Volumes").
LVM_CONFIG = "global{activation=0} devices{obtain_device_list_from_udev=0} backup{backup=0 archive=0}"
LVM_ENV = dict(os.environ, LVM_SUPPRESS_FD_WARNINGS="1")


def lvm(command, devices, *args, check=True):
    """One lvm2 command that sees only `devices`."""
    cmd = ["lvm", command, "--config", LVM_CONFIG]
    for d in devices:
        cmd += ["--devices", d]
    return run(cmd + list(args), check=check, env=LVM_ENV)


def have_device_mapper():
    """The kernel answers on /dev/mapper/control (a node alone, as in some containers, is not enough)."""
    try:
        os.close(os.open("/dev/mapper/control", os.O_RDWR))
        return True
    except OSError:
        return False


@contextlib.contextmanager
def loop_window(backing, offset, size):
    """A loop device over [offset, offset+size) of a file of the test's own; detached after."""
    backing = os.path.realpath(backing)
    if not os.path.isfile(backing):
        raise ValueError("loop backing must be a regular file: %s" % backing)
    dev = run(["losetup", "-f", "--show", "-o", str(offset), "--sizelimit", str(size), backing]).stdout.strip()
    if not dev.startswith("/dev/loop"):
        raise AssertionError("unexpected losetup answer: %r" % dev)
    try:
        yield dev
    finally:
        kt._detach(dev, backing)


def pe_start_bytes(pv):
    out = lvm("pvs", [pv], "-o", "pe_start", "--units", "b", "--noheadings", "--nosuffix", pv).stdout
    return int(out.split()[0])


def lv_segments(devices, vg, lv):
    """[(first LV extent, first PV extent, extent count, pv device)] of a linear LV."""
    report = json.loads(lvm("lvs", devices, "--reportformat", "json", "-o",
                            "lv_name,seg_start_pe,seg_pe_ranges", vg).stdout)
    segments = []
    for row in report["report"][0]["lv"]:
        if row["lv_name"] != lv:
            continue
        device, extents = row["seg_pe_ranges"].split(":")
        first, last = (int(x) for x in extents.split("-"))
        segments.append((int(row["seg_start_pe"]), first, last - first + 1, device))
    return sorted(segments)


def lv_pe_ranges(devices, vg):
    """{lv: [(device, first_pe, last_pe) per area, in LV order]} as lvm2 reports them (a
    striped segment gives one area per stripe)."""
    out = lvm("lvs", devices, "--noheadings", "--separator", "|", "-o", "lv_name,seg_start_pe,seg_pe_ranges",
              "--sort", "lv_name,seg_start_pe", vg).stdout
    ranges = {}
    for line in out.splitlines():
        if not line.strip():
            continue
        name, _start, pe_ranges = (x.strip() for x in line.split("|"))
        for r in pe_ranges.split():
            dev, span = r.rsplit(":", 1)
            first, last = span.split("-")
            ranges.setdefault(name, []).append((dev, int(first), int(last)))
    return ranges


def extent_bytes(devices, vg):
    out = lvm("vgs", devices, "-o", "vg_extent_size", "--units", "b", "--noheadings", "--nosuffix", vg).stdout
    return int(out.split()[0])


def write_lv(devices, vg, lv, data_file, pv_offset_in_disk, disk):
    """Copies `data_file` into the LV's extents (any number of linear segments)."""
    pe = pe_start_bytes(devices[0])
    size = extent_bytes(devices, vg)
    with open(data_file, "rb") as src, open(disk, "r+b") as dst:
        for lv_first, pv_first, count, _ in lv_segments(devices, vg, lv):
            src.seek(lv_first * size)
            dst.seek(pv_offset_in_disk + pe + pv_first * size)
            left = count * size
            while left > 0:
                chunk = src.read(min(left, 4 * MiB))
                if not chunk:
                    return
                dst.write(chunk)
                left -= len(chunk)


def read_lv(devices, vg, lv, pv_offset_in_disk, disk, out_file):
    """Gathers the LV's bytes from the disk file into `out_file` (the reverse of write_lv)."""
    pe = pe_start_bytes(devices[0])
    size = extent_bytes(devices, vg)
    with open(disk, "rb") as src, open(out_file, "wb") as dst:
        for lv_first, pv_first, count, _ in lv_segments(devices, vg, lv):
            src.seek(pv_offset_in_disk + pe + pv_first * size)
            dst.seek(lv_first * size)
            dst.write(src.read(count * size))
    return out_file


class LvmDisk(di.DiskLayout):
    """A RHEL5-style server disk: p1 /boot (ext3), p2 an LVM PV with VolGroup00:
    LogVol00 (ext4, the root, with files) and LogVol01 (swap)."""

    VG = "VolGroup00"
    ROOT = "LogVol00"
    SWAP = "LogVol01"
    SWAP_UUID = "3c6f7a1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b"
    SWAP_LABEL = "lvmswap"

    def __init__(self, path):
        super().__init__(path, "dos")
        self.pv_part = 2
        self.pv_offset = 0
        self.root_fs = None  # the root LV's filesystem image: the source of truth

    def pv_device(self):
        """A context manager: a loop device over the PV partition."""
        return loop_window(self.path, self.pv_offset, self.pv_bytes)

    def gather(self, disk, lv, out_file):
        with loop_window(disk, self.pv_offset, self.pv_bytes) as pv:
            return read_lv([pv], self.VG, lv, self.pv_offset, disk, out_file)


def make_xfs_root(ws, size_mib, tree):
    """An XFS filesystem image holding `tree` (the host kernel mounts XFS v5)."""
    path = kt.zeroed_file(os.path.join(ws, "root-xfs.img"), size_mib * MiB)
    run(["mkfs.xfs", "-q", "-f", "-L", "root", path])
    with kt.loop_device(path) as dev, kt.mounted(dev, os.path.join(ws, "root-xfs-mnt")) as mnt:
        for name in os.listdir(tree):
            src = os.path.join(tree, name)
            if os.path.isdir(src) and not os.path.islink(src):
                shutil.copytree(src, os.path.join(mnt, name), symlinks=True)
            else:
                shutil.copy2(src, os.path.join(mnt, name), follow_symlinks=False)
    return path


def make_lvm_disk(ws, path, size_mib=256, root_mib=96, swap_mib=16, two_segments=False, root_last=False, seed=31,
                  root_fs="ext4"):
    """The disk of LvmDisk. With `two_segments`, the root LV is grown after the swap LV was
    made, so it has two segments (as `lvextend` leaves a RHEL root). With `root_last`, the
    swap LV is made first, so the root LV ends where the PV's free space begins. `root_fs`:
    "ext4" or "xfs" (RHEL 7-9's default; mkfs.xfs wants at least 300 MiB)."""
    kt.zeroed_file(path, size_mib * MiB)
    run(["sfdisk", "-q", path], input=(
        "label: dos\nlabel-id: 0x4c564d32\n"
        "start=2048, size=48M, type=83, bootable\n"
        "type=8e\n"))
    layout = LvmDisk(path)
    parts = di.table(path)
    layout.ext[1] = kt.make_ext(os.path.join(ws, "boot.img"), parts[1][1] * di.SECTOR,
                                ["-t", "ext3", "-L", "boot"], _tree(ws, "boot", seed, 2))
    di.copy_into(path, parts[1][0], layout.ext[1])
    layout.pv_offset = parts[2][0] * di.SECTOR
    layout.pv_bytes = parts[2][1] * di.SECTOR
    first_root = root_mib - 32 if two_segments else root_mib
    with layout.pv_device() as pv:
        lvm("pvcreate", [pv], pv)
        lvm("vgcreate", [pv], "-s", "4M", layout.VG, pv)
        order = [(layout.ROOT, first_root), (layout.SWAP, swap_mib)]
        for lv, mib in (reversed(order) if root_last else order):
            lvm("lvcreate", [pv], "-an", "-Zn", "-L", "%dM" % mib, "-n", lv, layout.VG)
        if two_segments:
            lvm("lvextend", [pv], "-L", "%dM" % root_mib, "%s/%s" % (layout.VG, layout.ROOT))
        if root_fs == "xfs":
            layout.root_fs = make_xfs_root(ws, root_mib, _tree(ws, "root", seed + 1, 8))
        else:
            layout.root_fs = kt.make_ext(os.path.join(ws, "root.img"), root_mib * MiB,
                                         ["-t", "ext4", "-L", "root"], _tree(ws, "root", seed + 1, 8))
        swap = kt.zeroed_file(os.path.join(ws, "swap.img"), swap_mib * MiB)
        run(["mkswap", "-U", layout.SWAP_UUID, "-L", layout.SWAP_LABEL, swap])
        write_lv([pv], layout.VG, layout.ROOT, layout.root_fs, layout.pv_offset, path)
        write_lv([pv], layout.VG, layout.SWAP, swap, layout.pv_offset, path)
    di._boot_area(layout, 2048, 1)
    return layout


def _tree(ws, name, seed, big_mib):
    tree = os.path.join(ws, name + "-tree")
    kt.make_tree(tree, seed=seed, big_mib=big_mib, small_files=80)
    return tree
