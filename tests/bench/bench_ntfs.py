#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: kura against the two NTFS pipelines Clonezilla has used, on the same NTFS,
in the same run; and kura's cost on a large, mostly empty volume.

  save:    kura saveparts -z zstd --level 3   vs  partclone.ntfs -c | zstd -T0 -3
                                              vs  ntfsclone --save-image -o - | zstd -T0 -3
  restore: kura restoreparts (+ flush)        vs  zstd -dc | partclone.ntfs -r (+ flush)
                                              vs  zstd -dc | ntfsclone --restore-image (+ flush)
  scale:   kura save of a 64 GiB volume and of a 2 GiB volume holding the same data

Prints wall times, peer/kura ratios, image sizes and kura's peak RSS. It asserts only that
every restore is identical to the source (partclone's without the backup boot sector it
leaves out); speed is reported, never asserted. The page cache is dropped before every run."""
import argparse
import os
import shutil
import subprocess
import sys

from benchlib import KURA, MiB, first_difference, fresh_target, in_workdir, median, timed, write_data_mix

GiB = 1 << 30


def make_volume(path, size, data_bytes, work, seed):
    """A quick-formatted NTFS on a sparse file, filled through ntfs-3g (FUSE, big writes)."""
    fresh_target(path, size)
    subprocess.run(["mkntfs", "-q", "-Q", "-F", "-c", "4096", "-L", "bench", path], check=True,
                   capture_output=True)
    mnt = os.path.join(work, "mnt")
    os.makedirs(mnt, exist_ok=True)
    subprocess.run(["ntfs-3g", "-o", "big_writes", path, mnt], check=True)
    try:
        write_data_mix(os.path.join(mnt, "data"), data_bytes, seed)
    finally:
        subprocess.run(["umount", mnt], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mib", type=int, default=2048, help="volume size (default 2048)")
    ap.add_argument("--large-gib", type=int, default=64, help="the large sparse volume (default 64)")
    ap.add_argument("--data-mib", type=int, default=1024, help="data written into each (default 1024)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    in_workdir("kura-bench-ntfs.", args, run)


def run(work, args):
    repo = os.path.join(work, "repo")
    os.makedirs(repo)
    size = args.size_mib * MiB
    src = os.path.join(work, "ntfs.img")
    large = os.path.join(work, "large.img")
    make_volume(src, size, args.data_mib * MiB, work, seed=2026)
    make_volume(large, args.large_gib * GiB, args.data_mib * MiB, work, seed=2026)
    print(f"NTFS of {args.size_mib} MiB and of {args.large_gib} GiB, 4 KiB clusters, each with "
          f"{args.data_mib} MiB of data (programs and text, random, zero-filled, small files)")

    log = os.path.join(work, "peer.log")
    pc_img, nc_img = os.path.join(work, "pc.zst"), os.path.join(work, "nc.zst")
    targets = {k: os.path.join(work, k + "-target.img") for k in ("kura", "partclone", "ntfsclone")}
    save_argv = [KURA, "saveparts", "--repo", repo, "--progress=none", "-z", "zstd", "--level", "3", "--split", "0",
                 "--no-verify"]

    def kura_save(name, volume):
        def op():
            shutil.rmtree(os.path.join(repo, name), ignore_errors=True)
            return timed(save_argv + [name, volume])
        return op

    ops = {
        "kura save": kura_save("img", src),
        "partclone save": lambda: timed(f"partclone.ntfs -c -s {src} -o - -L {log} | zstd -T0 -3 -q -f -o {pc_img}",
                                        shell=True),
        "ntfsclone save": lambda: timed(f"ntfsclone --save-image -f -o - {src} 2>/dev/null | zstd -T0 -3 -q -f -o "
                                        f"{nc_img}", shell=True),
        "kura restore": lambda: (fresh_target(targets["kura"], size), timed(
            f"{KURA} restoreparts --repo {repo} --yes --progress=none img {targets['kura']} && "
            f"sync {targets['kura']}", shell=True))[1],
        "partclone restore": lambda: (fresh_target(targets["partclone"], size), timed(
            f"zstd -dc {pc_img} | partclone.ntfs -r -s - -O {targets['partclone']} -L {log} && "
            f"sync {targets['partclone']}", shell=True))[1],
        "ntfsclone restore": lambda: (fresh_target(targets["ntfsclone"], size), timed(
            f"zstd -dc {nc_img} | ntfsclone --restore-image --overwrite {targets['ntfsclone']} - >/dev/null 2>&1 && "
            f"sync {targets['ntfsclone']}", shell=True))[1],
        "kura save large": kura_save("large", large),
    }
    results = {name: median(op, args.repeat) for name, op in ops.items()}
    sizes = {
        "kura": os.path.getsize(os.path.join(repo, "img", next(n for n in os.listdir(os.path.join(repo, "img"))
                                                                 if "-ptcl-img." in n))),
        "partclone": os.path.getsize(pc_img),
        "ntfsclone": os.path.getsize(nc_img),
    }

    passed = failed = 0
    # partclone.ntfs leaves out the backup boot sector, the volume's last 512 bytes.
    for name, limit in (("kura", None), ("ntfsclone", None), ("partclone", size - 512)):
        off = first_difference(src, targets[name], limit)
        if off is None:
            passed += 1
        else:
            failed += 1
            print(f"FAIL: {name}'s restore differs from the source at byte {off}")
    if first_difference(src, targets["partclone"]) is None:
        print("note: partclone's restore now includes the backup boot sector")

    data_mb = args.data_mib * MiB / 1e6
    print()
    print(f"median of {args.repeat} runs each, page cache dropped before every run")
    for op in ("save", "restore"):
        k = results[f"kura {op}"][0]
        line = f"{op:<8} kura {k:6.2f} s ({data_mb / k:5.0f} MB/s)"
        for peer in ("partclone", "ntfsclone"):
            p = results[f"{peer} {op}"][0]
            line += f"  {peer} {p:6.2f} s  {peer}/kura {p / k:4.2f}x"
        print(line)
    small, big = results["kura save"][0], results["kura save large"][0]
    print(f"scale    kura save {args.large_gib} GiB volume {big:.2f} s vs {args.size_mib} MiB volume {small:.2f} s "
          f"(same data): {big / small:.2f}x")
    print("image    " + "  ".join(f"{k} {v:,} B" for k, v in sizes.items()) +
          f"  kura/partclone {sizes['kura'] / sizes['partclone']:.4f}  kura/ntfsclone "
          f"{sizes['kura'] / sizes['ntfsclone']:.4f}")
    for op, key in (("save", "kura save"), ("restore", "kura restore"), (f"save {args.large_gib} GiB", "kura save large")):
        print(f"peak RSS kura {op}: {results[key][1] / 1024:.0f} MiB")
    print(f"bench: {passed} passed, {failed} failed")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
