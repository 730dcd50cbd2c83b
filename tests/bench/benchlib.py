# SPDX-License-Identifier: GPL-3.0-or-later
"""What every benchmark shares: cold-cache timing with peak RSS, medians, the data mix
written into the filesystems under test, and byte comparisons of restores."""
import os
import random
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KURA = os.environ.get("KURA_BIN", os.path.join(HERE, "..", "..", "build", "kura"))
MiB = 1 << 20


def drop_caches():
    subprocess.run(["sync"], check=True)
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
    except OSError as e:
        print(f"note: cannot drop the page cache ({e}); timings include cached reads")


def timed(argv, shell=False):
    """Runs a command with a cold page cache; returns (seconds, peak RSS in KiB of the
    process tree's largest child)."""
    drop_caches()
    start = time.monotonic()
    proc = subprocess.Popen(argv, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {argv}\n{stderr}")
    return seconds, usage.ru_maxrss


def median(op, repeat):
    """(median seconds, largest peak RSS) of `repeat` runs of op()."""
    runs = sorted(op() for _ in range(repeat))
    return runs[len(runs) // 2][0], max(rss for _, rss in runs)


def write_file(path, size, chunk_source):
    with open(path, "wb") as f:
        left = size
        while left > 0:
            chunk = chunk_source(min(left, 4 * MiB))
            f.write(chunk)
            left -= len(chunk)


def copy_real_files(dest, budget):
    """Real programs and documents from this machine (compressible), up to `budget` bytes."""
    os.makedirs(dest)
    copied = 0
    for top in ("/usr/lib/x86_64-linux-gnu", "/usr/share/doc", "/usr/bin", "/usr/share"):
        for root, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(files):
                src = os.path.join(root, name)
                if copied >= budget or not os.path.isfile(src) or os.path.islink(src):
                    continue
                dst = os.path.join(dest, os.path.relpath(src, "/").replace("/", "_"))
                try:
                    shutil.copyfile(src, dst)
                except OSError:
                    continue
                copied += os.path.getsize(dst)
    return copied


def write_data_mix(root, data_bytes, seed, zeros=True):
    """The data mix of every benchmark: a third real files, a third seeded random bytes
    (incompressible), a third zero-filled files (if `zeros`), and 2000 small files."""
    rng = random.Random(seed)
    third = data_bytes // 3
    copy_real_files(os.path.join(root, "real"), third)
    for d in ("random", "small") + (("zeros",) if zeros else ()):
        os.makedirs(os.path.join(root, d))
    for i in range(3):
        write_file(os.path.join(root, "random", f"r{i}.bin"), third // 3, rng.randbytes)
        if zeros:
            write_file(os.path.join(root, "zeros", f"z{i}.bin"), third // 3, lambda n: bytes(n))
    for i in range(2000):
        with open(os.path.join(root, "small", f"f{i:04d}.txt"), "w") as f:
            f.write(f"small file {i}\n" * rng.randint(0, 200))


def first_difference(a, b, limit=None):
    """Offset of the first differing byte of two files (up to `limit` bytes), or None."""
    offset = 0
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while limit is None or offset < limit:
            n = 8 * MiB if limit is None else min(8 * MiB, limit - offset)
            ca, cb = fa.read(n), fb.read(n)
            if ca != cb:
                common = min(len(ca), len(cb))
                return offset + next((i for i in range(common) if ca[i] != cb[i]), common)
            if not ca:
                return None
            offset += len(ca)
    return None


def fresh_target(path, size):
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["truncate", "-s", str(size), path], check=True)


def in_workdir(prefix, args, run):
    """Runs run(work, args) in a fresh directory under /var/tmp, removed afterwards unless
    args.keep."""
    import tempfile
    work = tempfile.mkdtemp(dir="/var/tmp", prefix=prefix)
    try:
        run(work, args)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def against_partclone(work, repo, src, size, tool, repeat):
    """kura saveparts/restoreparts against `partclone.<tool> -c | zstd -T0 -3` and its
    restore, alternating so neither always runs on a warmer machine. Returns the medians,
    peak RSS, image sizes, and the names of restores that differ from the source."""
    log = os.path.join(work, "partclone.log")
    peer_img = os.path.join(work, "peer.ptcl.zst")
    kura_target, peer_target = os.path.join(work, "kura-target.img"), os.path.join(work, "peer-target.img")
    save = [KURA, "saveparts", "--repo", repo, "--progress=none", "-z", "zstd", "--level", "3", "--split", "0"]

    def kura_save(name, extra):
        def op():
            shutil.rmtree(os.path.join(repo, name), ignore_errors=True)
            return timed(save + extra + [name, src])
        return op

    def kura_restore():
        fresh_target(kura_target, size)
        return timed(f"{KURA} restoreparts --repo {repo} --yes --progress=none img {kura_target} && "
                     f"sync {kura_target}", shell=True)

    def peer_restore():
        fresh_target(peer_target, size)
        return timed(f"zstd -dc {peer_img} | partclone.{tool} -r -s - -O {peer_target} -L {log} && "
                     f"sync {peer_target}", shell=True)

    r = {}
    r["kura_save"] = median(kura_save("img", ["--no-verify"]), repeat)
    r["peer_save"] = median(lambda: timed(f"partclone.{tool} -c -s {src} -o - -L {log} | zstd -T0 -3 -q -f -o "
                                          f"{peer_img}", shell=True), repeat)
    r["kura_verified"] = median(kura_save("img-verified", []), repeat)
    r["kura_restore"] = median(kura_restore, repeat)
    r["peer_restore"] = median(peer_restore, repeat)
    image_dir = os.path.join(repo, "img")
    r["kura_bytes"] = sum(os.path.getsize(os.path.join(image_dir, n)) for n in os.listdir(image_dir)
                          if "-ptcl-img." in n)
    r["peer_bytes"] = os.path.getsize(peer_img)
    r["differ"] = [name for name, target in (("kura", kura_target), (f"partclone.{tool}", peer_target))
                   if first_difference(src, target) is not None]
    return r


def report_against_partclone(r, used_bytes, repeat, target=1.5):
    """Prints what against_partclone() measured: save and restore times against the peer's
    (ratio peer/kura, `target` the least), the image sizes, kura's peak memory and whether
    both restores gave back the source. Returns the number of failed restores."""
    (kura_save_s, kura_save_rss), (peer_save_s, _) = r["kura_save"], r["peer_save"]
    (kura_restore_s, kura_restore_rss), (peer_restore_s, _) = r["kura_restore"], r["peer_restore"]
    kura_bytes, peer_bytes = r["kura_bytes"], r["peer_bytes"]
    for name in r["differ"]:
        print(f"FAIL: {name}'s restore differs from the source")
    failed = len(r["differ"])
    mb = used_bytes / 1e6

    def row(op, k, p):
        ratio = p / k
        print(f"{op:<8} kura {k:6.2f} s ({mb / k:6.0f} MB/s)  peer {p:6.2f} s ({mb / p:6.0f} MB/s)  "
              f"peer/kura {ratio:4.2f}x  target >= {target:.2f}x: {'met' if ratio >= target else 'MISSED'}")
    print()
    print(f"median of {repeat} runs each, page cache dropped before every run")
    row("save", kura_save_s, peer_save_s)
    row("restore", kura_restore_s, peer_restore_s)
    print(f"save with verification (kura's default): {r['kura_verified'][0]:.2f} s")
    print(f"image    kura {kura_bytes:,} B  peer {peer_bytes:,} B  kura/peer {kura_bytes / peer_bytes:.4f}  "
          f"target <= 1: {'met' if kura_bytes <= peer_bytes else 'MISSED'}")
    for op, rss in (("save", kura_save_rss), ("restore", kura_restore_rss)):
        print(f"peak RSS kura {op}: {rss / 1024:.0f} MiB  target < 256 MiB: {'met' if rss < 256 * 1024 else 'MISSED'}")
    print(f"bench: {2 - failed} passed, {failed} failed")
    return failed
