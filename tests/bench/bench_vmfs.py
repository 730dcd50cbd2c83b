#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: imaging a large, mostly empty VMFS5 datastore costs what its data costs.

  scale:   kura saveparts of a 64 GiB VMFS5 holding 1 GiB, and of a 2 GiB one holding the same
  peer:    (with --peer) partclone.dd -s VOL | zstd -T0 -3 - what Clonezilla falls back to for
           a filesystem it has no partclone tool for (Debian's partclone ships no
           partclone.vmfs). It reads every byte: about 75 s for 8 GiB here, so 10 minutes
           for 64 GiB, which is why ctest runs without it.
  restore: kura restoreparts of the 64 GiB image onto a sparse file

The volumes come from kura's test generator (tests/vmfs/make_vmfs.py). Prints times, ratios,
image sizes and peak RSS; asserts only that debugvmfs reads every file of the restored
volume back identical."""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

from benchlib import KURA, fresh_target, in_workdir, median, timed

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vmfs"))
import make_vmfs  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--large-gib", type=int, default=64)
    ap.add_argument("--small-mib", type=int, default=2048)
    ap.add_argument("--data-mib", type=int, default=1024)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--peer", action="store_true", help="also time partclone.dd | zstd on the large volume")
    args = ap.parse_args()
    in_workdir("kura-bench-vmfs.", args, run)


def run(work, args):
    repo = os.path.join(work, "repo")
    os.makedirs(repo)
    large, small = os.path.join(work, "large.img"), os.path.join(work, "small.img")
    # In child processes: a forked child's peak RSS starts at its parent's, so the parent
    # must stay small for kura's figures to be kura's.
    manifest_path = os.path.join(work, "manifest.json")
    generator = os.path.join(os.path.dirname(os.path.abspath(make_vmfs.__file__)), "make_vmfs.py")
    for path, mib, extra in ((large, args.large_gib * 1024, ["--manifest", manifest_path]), (small, args.small_mib, [])):
        subprocess.run([sys.executable, generator, path, "--version", "5", "--size-mib", str(mib), "--data-mib",
                        str(args.data_mib), "--seed", "7", *extra], check=True)
    with open(manifest_path) as f:
        manifest = json.load(f)
    print(f"VMFS5, 1 MiB blocks: {args.large_gib} GiB and {args.small_mib} MiB volumes, "
          f"each with {args.data_mib} MiB of random data in {len(manifest['files'])} files")
    save = [KURA, "saveparts", "--repo", repo, "--progress=none", "-z", "zstd", "--level", "3", "--split", "0",
            "--no-verify"]

    def kura_save(name, volume):
        def op():
            shutil.rmtree(os.path.join(repo, name), ignore_errors=True)
            return timed(save + [name, volume])
        return op

    large_s, large_rss = median(kura_save("large", large), args.repeat)
    small_s, _ = median(kura_save("small", small), args.repeat)
    peer_img = os.path.join(work, "peer.zst")
    if args.peer:
        peer_s, _ = timed(f"partclone.dd -s {large} -o - -L {work}/pc.log 2>/dev/null | "
                          f"zstd -T0 -3 -q -f -o {peer_img}", shell=True)
    target = os.path.join(work, "target.img")
    fresh_target(target, args.large_gib << 30)
    restore_s, restore_rss = timed(f"{KURA} restoreparts --repo {repo} --yes --progress=none large {target} && "
                                   f"sync {target}", shell=True)
    kura_bytes = sum(os.path.getsize(os.path.join(repo, "large", n)) for n in os.listdir(os.path.join(repo, "large"))
                     if "-ptcl-img." in n)

    passed = failed = 0
    for path, digest in manifest["files"].items():
        data = subprocess.run(["debugvmfs", target, "cat", "/" + path], capture_output=True, check=True).stdout
        if hashlib.sha256(data).hexdigest() == digest:
            passed += 1
        else:
            failed += 1
            print(f"FAIL: {path} differs after the restore")

    print()
    print(f"median of {args.repeat} runs for kura's saves; page cache dropped before each run")
    print(f"save     kura {args.large_gib} GiB volume {large_s:6.2f} s   {args.small_mib} MiB volume {small_s:6.2f} s   "
          f"ratio {large_s / small_s:.2f}x (same data)")
    if args.peer:
        print(f"peer     partclone.dd | zstd of the {args.large_gib} GiB volume {peer_s:6.2f} s   peer/kura "
              f"{peer_s / large_s:.1f}x, image {os.path.getsize(peer_img):,} B")
    print(f"restore  kura {args.large_gib} GiB volume {restore_s:6.2f} s")
    print(f"image    kura {kura_bytes:,} B")
    print(f"peak RSS kura save {large_rss / 1024:.0f} MiB, restore {restore_rss / 1024:.0f} MiB")
    print(f"bench: {passed} passed, {failed} failed")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
