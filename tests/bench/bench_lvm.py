#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: saving a disk whose data lives in LVM against the same data on a plain
partition, and against the dd fallback kura used for PVs before it read LVM, in one run.

  lvm:    kura savedisk of a 20 GiB disk: one partition, a PV, VolGroup00 with LogVol00
          (an 8 GiB ext4 holding the data mix) and LogVol01 (a 1 GiB ext4, a few files)
  plain:  kura savedisk of a 20 GiB disk: the same two ext4 on plain partitions
  dd:     dd of the PV partition | zstd -T0 -3 (what a PV cost before)

The disks are sparse files; lvm2 writes the PV and VG (activation=0, --devices: no
device-mapper needed, nothing else on the machine seen) and mke2fs fills the LVs through
loop windows at their offsets. Prints wall times and the ratios; the targets (lvm within
1.2x of plain, dd at least 4x slower than lvm) are printed as met / MISSED, never asserted.
The run fails only if kura did not image the LVs by their filesystems (a dd-copied PV
would make the comparison meaningless)."""
import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys

from benchlib import KURA, MiB, fresh_target, in_workdir, median, timed, write_data_mix

GiB = 1024 * MiB
LVM_CONFIG = "global{activation=0} devices{obtain_device_list_from_udev=0} backup{backup=0 archive=0}"
LVM_ENV = dict(os.environ, LVM_SUPPRESS_FD_WARNINGS="1")
PART_START = 1 * MiB


@contextlib.contextmanager
def loop_window(backing, offset, size):
    """A loop device over [offset, offset+size) of a file of this benchmark; always detached."""
    dev = subprocess.run(["losetup", "-f", "--show", "-o", str(offset), "--sizelimit", str(size), backing],
                         check=True, capture_output=True, text=True).stdout.strip()
    if not dev.startswith("/dev/loop"):
        sys.exit(f"unexpected losetup answer: {dev!r}")
    try:
        yield dev
    finally:
        subprocess.run(["losetup", "-d", dev], check=False)


def lvm(command, pv, *args):
    return subprocess.run(["lvm", command, "--config", LVM_CONFIG, "--devices", pv, *args], check=True,
                          capture_output=True, text=True, env=LVM_ENV).stdout


def partition(path, size, parts):
    """A sparse disk of `size` bytes with a dos table; parts = [(bytes, type)]."""
    fresh_target(path, size)
    script = "label: dos\n" + "".join(f"size={n // 512}, type={t}\n" for n, t in parts)
    subprocess.run(["sfdisk", "-q", path], input=script, text=True, check=True)


def mkfs_into(device, tree, label):
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", label, "-d", tree, device], check=True)


def small_tree(work):
    tree = os.path.join(work, "small-tree")
    os.makedirs(tree)
    for i in range(50):
        with open(os.path.join(tree, f"log{i:02d}.txt"), "w") as f:
            f.write(f"line {i}\n" * 2000)
    return tree


def build_lvm_disk(path, size, tree, tree2, root_bytes, second_bytes):
    pv_bytes = size - PART_START - MiB
    partition(path, size, [(pv_bytes, "8e")])
    with loop_window(path, PART_START, pv_bytes) as pv:
        lvm("pvcreate", pv, pv)
        lvm("vgcreate", pv, "-s", "4M", "VolGroup00", pv)
        lvm("lvcreate", pv, "-an", "-Zn", "-n", "LogVol00", "-L", f"{root_bytes // MiB}M", "VolGroup00")
        lvm("lvcreate", pv, "-an", "-Zn", "-n", "LogVol01", "-L", f"{second_bytes // MiB}M", "VolGroup00")
        pe_start = int(lvm("pvs", pv, "-o", "pe_start", "--units", "b", "--noheadings", "--nosuffix", pv).split()[0])
        report = json.loads(lvm("lvs", pv, "--reportformat", "json", "-o", "lv_name,seg_pe_ranges", "VolGroup00"))
    extents = {}
    for row in report["report"][0]["lv"]:
        first = int(row["seg_pe_ranges"].split(":")[1].split("-")[0])
        extents[row["lv_name"]] = first
    for name, lv_tree, lv_bytes in (("LogVol00", tree, root_bytes), ("LogVol01", tree2, second_bytes)):
        offset = PART_START + pe_start + extents[name] * 4 * MiB
        with loop_window(path, offset, lv_bytes) as lv:
            mkfs_into(lv, lv_tree, name)
    return pv_bytes


def build_plain_disk(path, size, tree, tree2, root_bytes, second_bytes):
    partition(path, size, [(root_bytes, "83"), (second_bytes, "83")])
    with loop_window(path, PART_START, root_bytes) as p1:
        mkfs_into(p1, tree, "LogVol00")
    with loop_window(path, PART_START + root_bytes, second_bytes) as p2:
        mkfs_into(p2, tree2, "LogVol01")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--disk-gib", type=int, default=20, help="disk size (default 20)")
    ap.add_argument("--data-mib", type=int, default=2048, help="data in the root LV (default 2048)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each kura save, alternating; the median is shown (dd runs once)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    in_workdir("kura-bench-lvm.", args, run)


def run(work, args):
    size = args.disk_gib * GiB
    root_bytes, second_bytes = 8 * GiB, 1 * GiB
    tree = os.path.join(work, "tree")
    # Real files and random bytes (no zero files: mke2fs -d would make holes of them).
    write_data_mix(tree, args.data_mib * MiB * 3 // 2, seed=2026, zeros=False)
    tree2 = small_tree(work)
    lvm_disk, plain_disk = os.path.join(work, "lvm.img"), os.path.join(work, "plain.img")
    pv_bytes = build_lvm_disk(lvm_disk, size, tree, tree2, root_bytes, second_bytes)
    build_plain_disk(plain_disk, size, tree, tree2, root_bytes, second_bytes)
    shutil.rmtree(tree)
    print(f"disks of {args.disk_gib} GiB: an 8 GiB ext4 with about {args.data_mib} MiB of data (real files, "
          "random bytes, small files) and a 1 GiB ext4, in LVM or on plain partitions")

    repo = os.path.join(work, "repo")
    os.makedirs(repo)

    def kura_save(name, disk):
        def op():
            shutil.rmtree(os.path.join(repo, name), ignore_errors=True)
            return timed([KURA, "savedisk", "--repo", repo, "--progress=none", "-z", "zstd", "--level", "3",
                          "--split", "0", "--no-verify", name, disk])
        return op

    dd_out = os.path.join(work, "pv.dd.zst")
    dd = (f"dd if={lvm_disk} bs=4M iflag=skip_bytes,count_bytes skip={PART_START} count={pv_bytes} status=none "
          f"| zstd -T0 -3 -q -f -o {dd_out}")
    # Alternating, so neither side always runs on a warmer (or busier) machine.
    lvm_runs, plain_runs = [], []
    for _ in range(args.repeat):
        lvm_runs.append(kura_save("lvm", lvm_disk)())
        plain_runs.append(kura_save("plain", plain_disk)())
    lvm_s, lvm_rss = median(iter(lvm_runs).__next__, args.repeat)
    plain_s, _ = median(iter(plain_runs).__next__, args.repeat)
    # The dd fallback reads all 19 GiB of the PV: one run is long enough to measure.
    dd_s, _ = timed(dd, shell=True)

    def image_bytes(name):
        d = os.path.join(repo, name)
        return sum(os.path.getsize(os.path.join(d, n)) for n in os.listdir(d))

    lv_streams = [n for n in os.listdir(os.path.join(repo, "lvm")) if "LogVol00" in n and "-ptcl-img." in n]
    failed = 0 if lv_streams else 1
    if failed:
        print("FAIL: kura did not image LogVol00 by its filesystem: " + " ".join(sorted(os.listdir(os.path.join(repo, "lvm")))))

    print()
    print(f"kura: median of {args.repeat} alternating run(s) each; dd: one run; page cache dropped before every run")
    print(f"save  lvm {lvm_s:6.2f} s  plain {plain_s:6.2f} s  lvm/plain {lvm_s / plain_s:4.2f}x  "
          f"target <= 1.20x: {'met' if lvm_s / plain_s <= 1.2 else 'MISSED'}")
    print(f"save  dd|zstd of the PV {dd_s:6.2f} s  dd/lvm {dd_s / lvm_s:5.2f}x  "
          f"target >= 4x: {'met' if dd_s / lvm_s >= 4 else 'MISSED'}")
    print(f"image lvm {image_bytes('lvm'):,} B  plain {image_bytes('plain'):,} B  dd {os.path.getsize(dd_out):,} B")
    print(f"peak RSS kura lvm save: {lvm_rss / 1024:.0f} MiB")
    print(f"bench: {1 - failed} passed, {failed} failed")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
