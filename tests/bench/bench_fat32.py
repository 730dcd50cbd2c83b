#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: kura against Clonezilla's own pipeline on the same FAT32, in the same run.

  save:    kura saveparts -z zstd --level 3        vs  partclone.fat -c | zstd -T0 -3
  restore: kura restoreparts (+ flush)            vs  zstd -dc | partclone.fat -r (+ flush)

A 1 GiB FAT32 made by mkfs.fat (512-byte sectors, so both tools move 512-byte blocks and
keep a bitmap of 2 Mi bits) holding a few hundred MiB copied in with mtools: real programs
and documents, random bytes, zero-filled files and small files. Prints wall times,
peer/kura ratios, image sizes and kura's peak RSS; asserts only that every restore is
byte-identical to the source (speed is reported, never asserted)."""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys

from benchlib import MiB, against_partclone, fresh_target, in_workdir, write_file

# Characters a FAT long name cannot hold, and names FAT would see as duplicates.
FAT_UNSAFE = re.compile(r'[^A-Za-z0-9._+-]')


def build_tree(tree, data_mib, seed):
    """A quarter each: real programs and documents, random bytes, zeros, small files."""
    rng = random.Random(seed)
    quarter = data_mib * MiB // 4
    real = os.path.join(tree, "real")
    os.makedirs(real)
    copied, seen = 0, set()
    for top in ("/usr/lib/x86_64-linux-gnu", "/usr/share/doc", "/usr/bin"):
        for root, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(files):
                src = os.path.join(root, name)
                if copied >= quarter or not os.path.isfile(src) or os.path.islink(src):
                    continue
                dst_name = FAT_UNSAFE.sub("_", os.path.relpath(src, "/").replace("/", "_"))[-200:]
                if dst_name.lower() in seen:
                    continue
                seen.add(dst_name.lower())
                try:
                    shutil.copyfile(src, os.path.join(real, dst_name))
                except OSError:
                    continue
                copied += os.path.getsize(os.path.join(real, dst_name))
    for d in ("random", "zeros", "small"):
        os.makedirs(os.path.join(tree, d))
    for i in range(3):
        write_file(os.path.join(tree, "random", f"r{i}.bin"), quarter // 3, rng.randbytes)
        write_file(os.path.join(tree, "zeros", f"z{i}.bin"), quarter // 3, lambda n: bytes(n))
    small = 0
    i = 0
    while small < quarter:
        d = os.path.join(tree, "small", f"d{i // 200:03d}")
        os.makedirs(d, exist_ok=True)
        text = f"small file {i}\n" * rng.randint(0, 400)
        with open(os.path.join(d, f"f{i:05d}.txt"), "w") as f:
            f.write(text)
        small += max(len(text), 1)
        i += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mib", type=int, default=1024, help="filesystem size (default 1024)")
    ap.add_argument("--data-mib", type=int, default=400, help="data copied into it (default 400)")
    # One run by default keeps it under ~2 minutes on a shared machine; ask for more to get a median.
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (default 1); the median is shown")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()

    in_workdir("kura-bench-fat.", args, run)


def run(work, args):
    tree, repo = os.path.join(work, "tree"), os.path.join(work, "repo")
    os.makedirs(repo)
    src = os.path.join(work, "source.img")
    build_tree(tree, args.data_mib, seed=2026)
    size = args.size_mib * MiB
    fresh_target(src, size)
    subprocess.run(["mkfs.fat", "-F", "32", "-S", "512", src], check=True, capture_output=True)
    subprocess.run(["mcopy", "-s", "-i", src] + [os.path.join(tree, n) for n in sorted(os.listdir(tree))]
                   + ["::/"], check=True, stdin=subprocess.DEVNULL)
    shutil.rmtree(tree)
    fsck = subprocess.run(["fsck.fat", "-n", src], capture_output=True, text=True)
    if fsck.returncode != 0:
        sys.exit(f"fsck.fat -n found problems in the source:\n{fsck.stdout}")
    # "source.img: 12345 files, 98765/261627 clusters"; the cluster size is in the boot sector.
    m = re.search(r"(\d+) files, (\d+)/(\d+) clusters", fsck.stdout)
    files, used_clusters, clusters = (int(g) for g in m.groups())
    with open(src, "rb") as f:
        boot = f.read(14)
    used_bytes = used_clusters * int.from_bytes(boot[11:13], "little") * boot[13]
    print(f"FAT32 of {args.size_mib} MiB, {files} files, about {used_bytes / MiB:.0f} MiB in "
          f"{used_clusters} of {clusters} clusters (programs and text, random, zero-filled, small files)")

    r = against_partclone(work, repo, src, size, "fat", args.repeat)
    (kura_save_s, kura_save_rss), (peer_save_s, _) = r["kura_save"], r["peer_save"]
    kura_verified_s = r["kura_verified"][0]
    (kura_restore_s, kura_restore_rss), (peer_restore_s, _) = r["kura_restore"], r["peer_restore"]
    kura_bytes, peer_bytes = r["kura_bytes"], r["peer_bytes"]
    for name in r["differ"]:
        print(f"FAIL: {name}'s restore differs from the source")
    failed = len(r["differ"])
    passed = 2 - failed

    mb = used_bytes / 1e6
    def row(op, k, p):
        print(f"{op:<8} kura {k:6.2f} s ({mb / k:6.0f} MB/s)  peer {p:6.2f} s ({mb / p:6.0f} MB/s)  "
              f"peer/kura {p / k:4.2f}x")
    print()
    print(f"median of {args.repeat} runs each, page cache dropped before every run")
    row("save", kura_save_s, peer_save_s)
    row("restore", kura_restore_s, peer_restore_s)
    print(f"save with verification (kura's default): {kura_verified_s:.2f} s")
    print(f"image    kura {kura_bytes:,} B  peer {peer_bytes:,} B  kura/peer {kura_bytes / peer_bytes:.4f}")
    for op, rss in (("save", kura_save_rss), ("restore", kura_restore_rss)):
        print(f"peak RSS kura {op}: {rss / 1024:.0f} MiB")
    print(f"bench: {passed} passed, {failed} failed")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
