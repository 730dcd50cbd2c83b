#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: kura against Clonezilla's own pipeline on the same XFS (v5), in the same run.

  save:    kura saveparts -z zstd --level 3        vs  partclone.xfs -c | zstd -T0 -3
  restore: kura restoreparts (+ flush)            vs  zstd -dc | partclone.xfs -r (+ flush)

Both copy the same used blocks (kura reads XFS the way partclone.xfs does, 64 MiB log
included). Prints wall times, peer/kura ratios, image sizes and kura's peak RSS; asserts
only that every restore is byte-identical to the source. The page cache is dropped before
every timed run."""
import argparse
import os
import subprocess
import sys

from benchlib import MiB, against_partclone, report_against_partclone, fresh_target, in_workdir, write_data_mix


def fill_through_mount(image, work, data_mib):
    """XFS has no mkfs -d for v5 files: the data goes in through a mount of a loop device
    this benchmark attaches (and always detaches)."""
    mnt = os.path.join(work, "mnt")
    os.makedirs(mnt)
    loop = subprocess.run(["losetup", "-f", "--show", image], check=True, capture_output=True,
                          text=True).stdout.strip()
    try:
        subprocess.run(["mount", loop, mnt], check=True)
        try:
            write_data_mix(os.path.join(mnt, "data"), data_mib * MiB, seed=2026)
        finally:
            subprocess.run(["umount", mnt], check=True)
    finally:
        subprocess.run(["losetup", "-d", loop], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mib", type=int, default=2560, help="filesystem size (default 2560)")
    ap.add_argument("--data-mib", type=int, default=1100, help="data written into it (default 1100)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()

    in_workdir("kura-bench.", args, run)


def run(work, args):
    repo = os.path.join(work, "repo")
    os.makedirs(repo)
    src = os.path.join(work, "source.img")
    size = args.size_mib * MiB
    fresh_target(src, size)
    subprocess.run(["mkfs.xfs", "-q", "-f", src], check=True)
    fill_through_mount(src, work, args.data_mib)
    subprocess.run(["xfs_repair", "-n", src], check=True, capture_output=True)
    sb = subprocess.run(["xfs_db", "-r", "-c", "sb 0", "-c", "p blocksize dblocks fdblocks", src],
                        capture_output=True, text=True, check=True).stdout
    field = lambda name: int(sb.split(name + " = ")[1].split()[0])
    used_bytes = (field("dblocks") - field("fdblocks")) * field("blocksize")
    print(f"xfs v5 of {args.size_mib} MiB, {used_bytes / MiB:.0f} MiB used, log included "
          "(programs and text, random, zero-filled, small files)")

    r = against_partclone(work, repo, src, size, "xfs", args.repeat)
    if report_against_partclone(r, used_bytes, args.repeat):
        sys.exit(1)


if __name__ == "__main__":
    main()
