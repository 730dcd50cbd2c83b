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
import tempfile

from benchlib import KURA, MiB, first_difference, fresh_target, median as median_of, timed, write_data_mix, write_file


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

    work = tempfile.mkdtemp(dir="/var/tmp", prefix="kura-bench.")
    try:
        run(work, args)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


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

    log = os.path.join(work, "partclone.log")
    peer_img = os.path.join(work, "peer.ptcl.zst")
    kura_target, peer_target = os.path.join(work, "kura-target.img"), os.path.join(work, "peer-target.img")
    kura_save_argv = [KURA, "saveparts", "--repo", repo, "--progress=none", "-z", "zstd", "--level", "3",
                      "--split", "0"]

    def kura_save():
        shutil.rmtree(os.path.join(repo, "img"), ignore_errors=True)
        return timed(kura_save_argv + ["--no-verify", "img", src])

    def kura_save_verified():
        shutil.rmtree(os.path.join(repo, "img-verified"), ignore_errors=True)
        return timed(kura_save_argv + ["img-verified", src])

    def peer_save():
        return timed(f"partclone.ext4 -c -s {src} -o - -L {log} | zstd -T0 -3 -q -f -o {peer_img}", shell=True)

    def kura_restore():
        fresh_target(kura_target, size)
        return timed(f"{KURA} restoreparts --repo {repo} --yes --progress=none img {kura_target} && "
                     f"sync {kura_target}", shell=True)

    def peer_restore():
        fresh_target(peer_target, size)
        return timed(f"zstd -dc {peer_img} | partclone.ext4 -r -s - -O {peer_target} -L {log} && "
                     f"sync {peer_target}", shell=True)

    def median(op):
        return median_of(op, args.repeat)

    # Alternate kura and peer so neither always runs on a warmer machine.
    kura_save_s, kura_save_rss = median(kura_save)
    peer_save_s, _ = median(peer_save)
    kura_verified_s, _ = median(kura_save_verified)
    kura_restore_s, kura_restore_rss = median(kura_restore)
    peer_restore_s, _ = median(peer_restore)
    kura_files = [os.path.join(repo, "img", n) for n in os.listdir(os.path.join(repo, "img")) if "-ptcl-img." in n]
    kura_bytes = sum(os.path.getsize(f) for f in kura_files)
    peer_bytes = os.path.getsize(peer_img)

    passed = failed = 0
    for name, target in (("kura", kura_target), ("partclone", peer_target)):
        if first_difference(src, target) is None:
            passed += 1
        else:
            failed += 1
            print(f"FAIL: {name}'s restore differs from the source")

    mb = used_bytes / 1e6
    def row(op, k, p, target):
        ratio = p / k
        print(f"{op:<8} kura {k:6.2f} s ({mb / k:6.0f} MB/s)  peer {p:6.2f} s ({mb / p:6.0f} MB/s)  "
              f"peer/kura {ratio:4.2f}x  target >= 1.50x: {'met' if ratio >= target else 'MISSED'}")
    print()
    print(f"median of {args.repeat} runs each, page cache dropped before every run")
    row("save", kura_save_s, peer_save_s, 1.5)
    row("restore", kura_restore_s, peer_restore_s, 1.5)
    print(f"save with verification (kura's default): {kura_verified_s:.2f} s")
    print(f"image    kura {kura_bytes:,} B  peer {peer_bytes:,} B  kura/peer {kura_bytes / peer_bytes:.4f}  "
          f"target <= 1: {'met' if kura_bytes <= peer_bytes else 'MISSED'}")
    for op, rss in (("save", kura_save_rss), ("restore", kura_restore_rss)):
        print(f"peak RSS kura {op}: {rss / 1024:.0f} MiB  target < 256 MiB: {'met' if rss < 256 * 1024 else 'MISSED'}")
    print(f"bench: {passed} passed, {failed} failed")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
