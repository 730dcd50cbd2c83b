# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole server disks for the savedisk/restoredisk tests: real partition tables made by
sfdisk, real filesystems made by mkfs (built as separate files, then copied into place so
no loop device is needed), boot code and a post-MBR gap of recognisable bytes, and the
checks a restored disk must pass (table, boot area, fsck, file trees, raw bytes, swap)."""
import os
import random
import re

import kuratest as kt
from kuratest import MiB, run

SECTOR = 512
ESP = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
LINUX = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
MS_BASIC = "EBD0A0A2-B9E5-4433-87C0-68B9B72699C7"
LINUX_SWAP = "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F"


def random_bytes(seed, n):
    return random.Random(seed).randbytes(n)


def write_at(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def copy_into(disk, start_sector, fs_file):
    run(["dd", "if=" + fs_file, "of=" + disk, "bs=1M", "seek=%d" % (start_sector * SECTOR),
         "oflag=seek_bytes", "conv=notrunc,sparse", "status=none"])


def table(disk):
    """{number: (start, size)} from sfdisk's JSON."""
    import json
    info = json.loads(run(["sfdisk", "-J", disk]).stdout)["partitiontable"]
    parts = {}
    for p in info["partitions"]:
        number = int(re.search(r"(\d+)$", p["node"]).group(1))
        parts[number] = (p["start"], p["size"])
    return parts


def sfdisk_dump(disk):
    """`sfdisk -d` without the lines that name the file (device:, node paths)."""
    lines = []
    for line in run(["sfdisk", "-d", disk]).stdout.splitlines():
        if line.startswith("device:"):
            continue
        lines.append(re.sub(r"^\S+?(\d+) :", r"p\1 :", line))
    return lines


class DiskLayout:
    """What a test disk holds, so its restored copy can be checked against it."""

    def __init__(self, path, kind):
        self.path = path
        self.kind = kind
        self.ext = {}      # number -> fs image file (the source of truth for comparisons)
        self.fat = {}
        self.ntfs = {}
        self.raw = {}      # number -> bytes
        self.swap = {}     # number -> (uuid, label)
        self.boot_code = b""
        self.gap = b""


def _ext(ws, name, size_mib, seed, label):
    tree = os.path.join(ws, name + "-tree")
    kt.make_tree(tree, seed=seed, big_mib=4, small_files=60)
    return kt.make_ext(os.path.join(ws, name + ".img"), size_mib * MiB, ["-t", "ext4", "-L", label], tree)


def _fat32(ws, name, size_mib, seed):
    tree = os.path.join(ws, name + "-tree")
    os.makedirs(os.path.join(tree, "EFI", "BOOT"))
    with open(os.path.join(tree, "EFI", "BOOT", "BOOTX64.EFI"), "wb") as f:
        f.write(random_bytes(seed, 300 * 1024))
    with open(os.path.join(tree, "readme.txt"), "w") as f:
        f.write("kura test ESP %d\n" % seed)
    fs = kt.make_fat(os.path.join(ws, name + ".img"), size_mib * MiB, 32, ["-n", "KURAESP"])
    kt.fat_copy_in(fs, [os.path.join(tree, "EFI"), os.path.join(tree, "readme.txt")])
    return fs


def _ntfs(ws, name, size_mib, seed):
    fs = kt.make_ntfs(os.path.join(ws, name + ".img"), size_mib * MiB, label="KURANTFS")
    mnt = os.path.join(ws, name + "-mnt")
    with kt.ntfs_mounted(fs, mnt):
        os.makedirs(os.path.join(mnt, "Windows", "System32"))
        for i in range(20):
            with open(os.path.join(mnt, "Windows", "System32", "file%02d.dll" % i), "wb") as f:
                f.write(random_bytes(seed + i, 20000 + i * 3000))
    return fs


def _swap(ws, name, size_mib, uuid, label):
    path = kt.zeroed_file(os.path.join(ws, name + ".img"), size_mib * MiB)
    run(["mkswap", "-U", uuid, "-L", label, path])
    return path


def _boot_area(layout, first_start, gap_from):
    layout.boot_code = random_bytes(446, 440 if layout.kind == "gpt" else 446)
    write_at(layout.path, 0, layout.boot_code)
    layout.gap = random_bytes(2047, (first_start - gap_from) * SECTOR)
    write_at(layout.path, gap_from * SECTOR, layout.gap)


def make_mbr_disk(ws, path, size_mib=200):
    """MBR: p1 ext4 (bootable), p2 FAT32, p3 extended holding p5 swap, p6 unformatted
    (random bytes), p7 ext4; boot code and a GRUB-sized gap after the MBR."""
    kt.zeroed_file(path, size_mib * MiB)
    run(["sfdisk", "-q", path], input=(
        "label: dos\nlabel-id: 0x4b555241\n"
        "start=2048, size=64M, type=83, bootable\n"
        "size=40M, type=c\n"
        "type=5\n"
        "size=16M, type=82\n"
        "size=8M, type=83\n"
        "type=83\n"))
    layout = DiskLayout(path, "dos")
    parts = table(path)
    layout.ext[1] = _ext(ws, "mbr-p1", parts[1][1] * SECTOR // MiB, 11, "root")
    layout.fat[2] = _fat32(ws, "mbr-p2", parts[2][1] * SECTOR // MiB, 12)
    layout.swap[5] = ("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "kuraswap")
    swap = _swap(ws, "mbr-p5", parts[5][1] * SECTOR // MiB, *layout.swap[5])
    layout.raw[6] = random_bytes(6, parts[6][1] * SECTOR)
    layout.ext[7] = _ext(ws, "mbr-p7", parts[7][1] * SECTOR // MiB, 17, "data")
    for n, fs in [(1, layout.ext[1]), (2, layout.fat[2]), (5, swap), (7, layout.ext[7])]:
        copy_into(path, parts[n][0], fs)
    write_at(path, parts[6][0] * SECTOR, layout.raw[6])
    _boot_area(layout, 2048, 1)
    return layout


def make_gpt_disk(ws, path, size_mib=240):
    """GPT: p1 ESP (FAT32), p2 NTFS, p3 swap, p4 raw bytes, p5 ext4 (last, so --grow
    grows a filesystem); names, an attribute and fixed GUIDs; protective-MBR boot code
    and bytes in the gap between the entries and the first partition."""
    kt.zeroed_file(path, size_mib * MiB)
    run(["sfdisk", "-q", path], input=(
        "label: gpt\nlabel-id: 4B555241-0000-4000-8000-000000000001\n"
        "start=2048, size=48M, type=%s, name=\"EFI system partition\", "
        "uuid=4B555241-0000-4000-8000-0000000000A1\n"
        "size=64M, type=%s, name=\"Basic data partition\", attrs=\"GUID:63\"\n"
        "size=16M, type=%s, name=swap\n"
        "size=8M, type=%s, name=raw\n"
        "type=%s, name=root\n") % (ESP, MS_BASIC, LINUX_SWAP, LINUX, LINUX))
    layout = DiskLayout(path, "gpt")
    parts = table(path)
    layout.fat[1] = _fat32(ws, "gpt-p1", parts[1][1] * SECTOR // MiB, 21)
    layout.ntfs[2] = _ntfs(ws, "gpt-p2", parts[2][1] * SECTOR // MiB, 22)
    layout.swap[3] = ("0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "gptswap")
    swap = _swap(ws, "gpt-p3", parts[3][1] * SECTOR // MiB, *layout.swap[3])
    layout.raw[4] = random_bytes(4, parts[4][1] * SECTOR)
    layout.ext[5] = _ext(ws, "gpt-p5", parts[5][1] * SECTOR // MiB, 25, "root")
    for n, fs in [(1, layout.fat[1]), (2, layout.ntfs[2]), (3, swap), (5, layout.ext[5])]:
        copy_into(path, parts[n][0], fs)
    write_at(path, parts[4][0] * SECTOR, layout.raw[4])
    _boot_area(layout, 2048, 34)
    return layout


def extract(disk, start, size, out):
    run(["dd", "if=" + disk, "of=" + out, "bs=1M", "skip=%d" % (start * SECTOR), "count=%d" % (size * SECTOR),
         "iflag=skip_bytes,count_bytes", "status=none"])
    return out


def check_restored(test, layout, restored, scratch, grown=False):
    """Everything a restored disk must show, compared with the disk it was saved from."""
    with open(restored, "rb") as f:
        head = f.read(2048 * SECTOR)
    test.assertEqual(head[:len(layout.boot_code)], layout.boot_code, "boot code differs")
    gap_from = 34 if layout.kind == "gpt" else 1
    test.assertEqual(head[gap_from * SECTOR:gap_from * SECTOR + len(layout.gap)], layout.gap,
                     "the gap after the table differs")
    verify = run(["sfdisk", "--verify", restored], check=False)
    test.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
    test.assertIn("No errors detected", verify.stdout + verify.stderr)
    if layout.kind == "gpt":
        v = run(["sgdisk", "-v", restored], check=False)
        test.assertIn("No problems found", v.stdout, v.stdout + v.stderr)
    source_dump, restored_dump = sfdisk_dump(layout.path), sfdisk_dump(restored)
    if os.path.getsize(restored) == os.path.getsize(layout.path):
        test.assertEqual(restored_dump, source_dump)
    else:
        # The layout is kept; GPT's last usable LBA moves to the new end; --grow extends the last partition.
        strip = lambda lines: [l for l in lines if not l.startswith("last-lba:")]
        if grown:
            test.assertEqual(len(strip(restored_dump)), len(strip(source_dump)))
        else:
            test.assertEqual(strip(restored_dump), strip(source_dump))
        if layout.kind == "gpt":
            sectors = os.path.getsize(restored) // SECTOR
            test.assertIn("last-lba: %d" % (sectors - 34), restored_dump)
    parts = table(restored)
    source_parts = table(layout.path)
    for n, fs in layout.ext.items():
        got = extract(restored, *parts[n], os.path.join(scratch, "r-ext%d" % n))
        clean, report = kt.fsck_clean(got)
        test.assertTrue(clean, report)
        if parts[n][1] == source_parts[n][1]:
            test.assertEqual(kt.fs_snapshot(got, scratch), kt.fs_snapshot(fs, scratch))
        else:
            test.assertEqual(kt.snapshot_differences(kt.fs_snapshot(got, scratch), kt.fs_snapshot(fs, scratch)), [])
    for n, fs in layout.fat.items():
        got = extract(restored, *parts[n], os.path.join(scratch, "r-fat%d" % n))
        clean, report = kt.fat_fsck_clean(got)
        test.assertTrue(clean, report)
        test.assertEqual(kt.fat_contents(got, scratch), kt.fat_contents(fs, scratch))
    for n, fs in layout.ntfs.items():
        got = extract(restored, *parts[n], os.path.join(scratch, "r-ntfs%d" % n))
        clean, report = kt.ntfsfix_clean(got)
        test.assertTrue(clean, report)
        test.assertEqual(kt.ntfs_tree(got, os.path.join(scratch, "m-got%d" % n)),
                         kt.ntfs_tree(fs, os.path.join(scratch, "m-src%d" % n)))
    for n, data in layout.raw.items():
        with open(restored, "rb") as f:
            f.seek(parts[n][0] * SECTOR)
            test.assertEqual(f.read(len(data)), data, "raw partition %d differs" % n)
    for n, (uuid, label) in layout.swap.items():
        got = extract(restored, *parts[n], os.path.join(scratch, "r-swap%d" % n))
        probe = run(["blkid", "-p", "-o", "export", got]).stdout
        test.assertIn("TYPE=swap", probe)
        test.assertIn("UUID=" + uuid, probe)
        test.assertIn("LABEL=" + label, probe)
