#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: kura against Clonezilla's own pipeline on the same ext4, in the same run.

  save:    kura saveparts -z zstd --level 3        vs  partclone.ext4 -c | zstd -T0 -3
  restore: kura restoreparts (+ flush)            vs  zstd -dc | partclone.ext4 -r (+ flush)

Prints wall times, peer/kura ratios, image sizes and kura's peak RSS. It asserts only that
every restore is byte-identical to the source - speed is reported, never asserted, so the
benchmark cannot flake. The page cache is dropped before every timed run."""
import argparse
import os
import shutil
import subprocess
import sys

from benchlib import MiB, against_partclone, report_against_partclone, fresh_target, in_workdir, write_data_mix, write_file


def build_tree(tree, data_mib, seed):
    """Real programs and text, random bytes, small files: two thirds of the data. The
    zero-filled third is written later through a mount (mke2fs -d would make holes)."""
    write_data_mix(tree, data_mib * MiB, seed, zeros=False)


def add_zero_files(image, work, total):
    """mke2fs -d turns zero blocks into holes, so zero-filled files are written through a
    real mount of a loop device this benchmark attaches (and always detaches)."""
    mnt = os.path.join(work, "mnt")
    os.makedirs(mnt)
    loop = subprocess.run(["losetup", "-f", "--show", image], check=True, capture_output=True,
                          text=True).stdout.strip()
    try:
        subprocess.run(["mount", loop, mnt], check=True)
        try:
            os.makedirs(os.path.join(mnt, "zeros"))
            for i in range(3):
                write_file(os.path.join(mnt, "zeros", f"z{i}.bin"), total // 3, lambda n: bytes(n))
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
    tree, repo = os.path.join(work, "tree"), os.path.join(work, "repo")
    os.makedirs(repo)
    src = os.path.join(work, "source.img")
    build_tree(tree, args.data_mib, seed=2026)
    size = args.size_mib * MiB
    fresh_target(src, size)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, src], check=True)
    shutil.rmtree(tree)
    add_zero_files(src, work, args.data_mib * MiB // 3)
    subprocess.run(["e2fsck", "-fy", src], check=True, capture_output=True)
    header = subprocess.run(["dumpe2fs", "-h", src], capture_output=True, text=True, check=True).stdout
    field = lambda name: int(header.split(name + ":")[1].split()[0])
    used_bytes = (field("Block count") - field("Free blocks")) * field("Block size")
    print(f"ext4 of {args.size_mib} MiB, {used_bytes / MiB:.0f} MiB used "
          "(programs and text, random, zero-filled, small files)")

    r = against_partclone(work, repo, src, size, "ext4", args.repeat)
    if report_against_partclone(r, used_bytes, args.repeat):
        sys.exit(1)


if __name__ == "__main__":
    main()
