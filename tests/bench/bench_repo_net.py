#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: save throughput into nfs:// and smb:// repositories as a ratio of a local
directory, in one run, same source, same settings.

The servers (nfs-ganesha + rpcbind, smbd) run on loopback in a private network namespace
(tests/integration/netservers.py); the export, the share and the local repository are
directories on the same disk, so the ratio shows what the network path costs. Goal: >= 0.8.
Speed is reported, never asserted; each image must pass checkimage. The page cache is
dropped before every timed run.

Each setting is run --repeat times (default 5, or KURA_BENCH_NET_REPEAT) in rounds of
local, NFS, SMB, so a load change on a shared machine hits all three alike; the table shows
medians, with the spread (slowest/fastest - 1) of each, and the ratio of the medians.
512 MiB of data by default: with less, a run lasts about a second on loopback and one
slow run swings the ratio."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import netservers as ns  # noqa: E402

KURA = os.environ.get("KURA_BIN", os.path.join(HERE, "..", "..", "build", "kura"))
MiB = 1 << 20
PASSWORD = "Bench-Pw-1234"


def drop_caches():
    subprocess.run(["sync"], check=True)
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    except OSError as e:
        print(f"note: cannot drop the page cache ({e})")


def build_source(ws, data_mib):
    """Half incompressible random data, half compressible text, in a 1.5x ext4."""
    tree = os.path.join(ws, "tree")
    os.makedirs(tree)
    with open(os.path.join(tree, "random.bin"), "wb") as f:
        for _ in range(data_mib // 2):
            f.write(os.urandom(MiB))
    words = b" ".join(b"word%d" % (i % 997) for i in range(200000)) + b"\n"
    with open(os.path.join(tree, "text.txt"), "wb") as f:
        written = 0
        while written < data_mib // 2 * MiB:
            f.write(words)
            written += len(words)
    src = os.path.join(ws, "src.img")
    with open(src, "wb") as f:
        f.truncate(data_mib * 3 // 2 * MiB)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, src], check=True)
    shutil.rmtree(tree)
    return src


def timed_save(repo, image, src, opts, env):
    drop_caches()
    start = time.monotonic()
    proc = subprocess.run([KURA, "saveparts", "--repo", repo, "--progress=none", *opts, image, src],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"save to {repo} failed ({proc.returncode}):\n{proc.stderr}")
    check = subprocess.run([KURA, "checkimage", "--repo", repo, image], capture_output=True, text=True,
                           env=env)
    if check.returncode != 0:
        sys.exit(f"checkimage in {repo} failed:\n{check.stderr}")
    return seconds


def main():
    ns.enter_private_network()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("KURA_BENCH_NET_REPEAT", "5")))
    parser.add_argument("--data-mib", type=int, default=int(os.environ.get("KURA_BENCH_NET_MIB", "512")))
    parser.add_argument("--only", choices=("zstd", "none"), help="one compression setting only")
    args = parser.parse_args()
    data_mib = args.data_mib
    ws = tempfile.mkdtemp(prefix="kura-bench-net-", dir="/var/tmp")
    try:
        local, export, share = (os.path.join(ws, d) for d in ("local", "export", "share"))
        for d in (local, export, share):
            os.makedirs(d)
        src = build_source(ws, data_mib)
        env = dict(os.environ, KURA_SMB_PASSWORD=PASSWORD)
        with ns.nfs_server(os.path.join(ws, "nfs"), export) as nfs, \
                ns.smb_server(os.path.join(ws, "smb"), share, PASSWORD) as smb:
            repos = [("local", local, local), ("nfs", nfs.url(), export), ("smb", smb.url(), share)]
            print(f"source: ext4 with {data_mib} MiB used (half random, half text); saveparts with "
                  f"verification, page cache dropped before each run; median of {args.repeat}")
            settings = [("zstd (default)", []), ("-z none", ["-z", "none"])]
            if args.only:
                settings = [s for s in settings if (s[1][1:] or ["zstd"])[0] == args.only]
            rows = []
            for label, opts in settings:
                runs = {name: [] for name, _, _ in repos}
                for round_ in range(args.repeat):
                    for name, repo, on_disk in repos:
                        # A new name every time: ganesha must not meet a name that was
                        # removed behind its back. The disk space is freed at once.
                        image = "img-%s-%d" % (label.split()[0].strip("-"), round_)
                        seconds = timed_save(repo, image, src, opts, env)
                        shutil.rmtree(os.path.join(on_disk, image))
                        runs[name].append(seconds)
                        print(f"  run {round_ + 1}: {label:<16} {name:<6} {seconds:7.2f} s "
                              f"{data_mib / seconds:7.1f} MiB/s", flush=True)
                rows.append((label, runs))
            print(f"{'settings':<18} {'repository':<10} {'seconds':>8} {'MiB/s':>8} {'spread':>7} {'ratio':>6}")
            for label, runs in rows:
                base = statistics.median(runs["local"])
                for name, _, _ in repos:
                    med = statistics.median(runs[name])
                    spread = max(runs[name]) / min(runs[name]) - 1
                    print(f"{label:<18} {name:<10} {med:8.2f} {data_mib / med:8.1f} {spread:6.0%} "
                          f"{base / med:6.2f}", flush=True)
    finally:
        shutil.rmtree(ws, ignore_errors=True)


if __name__ == "__main__":
    main()
