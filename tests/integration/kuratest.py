# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for kura's integration tests.

The tests drive the real kura binary (KURA_BIN) together with the reference tools
(mke2fs, e2fsck, debugfs, partclone, zstd, gzip, split). Everything they create lives
in a temporary directory under /var/tmp; loop devices are only the ones the tests
attach themselves, and they are detached again in cleanup, also after a failure.
"""

import contextlib
import hashlib
import os
import random
import re
import shlex
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest

KURA_BIN = os.environ.get("KURA_BIN") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "kura")

# Work on the real disk: image files of a few hundred MiB do not belong in tmpfs.
TMP_PARENT = "/var/tmp"

KiB = 1024
MiB = 1024 * 1024

# kura's documented exit codes.
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_CORRUPT = 4
EXIT_UNSUPPORTED = 5
EXIT_REFUSED = 6
EXIT_IO = 7
EXIT_CANCELLED = 8

# Files every kura image directory holds besides the data files.
IMAGE_META_FILES = ("parts", "dev-fs.list", "blkid.list", "clonezilla-img",
                    "Info-saved-by-cmd.txt", "kura-manifest")

# Suffix of a data file for each compression, as Clonezilla names them.
COMP_SUFFIX = {"zstd": "zst", "gzip": "gz", "none": "uncomp"}
DECOMPRESS_CMD = {"zst": ["zstd", "-dc"], "gz": ["gzip", "-dc"], "uncomp": ["cat"]}


# --------------------------------------------------------------------------------
# Running commands

def run(cmd, *, check=True, stdin=subprocess.DEVNULL, input=None, timeout=600,
        env=None):
    """Run cmd (a list) and capture its output as text.

    stdin defaults to /dev/null so that nothing ever waits for a terminal.
    With check=True a non-zero exit raises AssertionError with the command's stderr,
    which unittest reports as a test failure rather than an error in the harness.
    """
    cmd = [str(c) for c in cmd]
    if input is not None:
        stdin = None
        if isinstance(input, str):
            input = input.encode()
    proc = subprocess.run(cmd, stdin=stdin, input=input, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, env=env)
    proc.stdout = proc.stdout.decode("utf-8", "replace")
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    if check and proc.returncode != 0:
        raise AssertionError("command failed (rc %d): %s\nstdout:\n%s\nstderr:\n%s" % (
            proc.returncode, shlex.join(cmd), proc.stdout[-4000:], proc.stderr[-4000:]))
    return proc


def run_shell(script, *, check=True, timeout=600):
    """Run a bash pipeline with pipefail, so a failure anywhere in it counts."""
    return run(["bash", "-o", "pipefail", "-c", script], check=check, timeout=timeout)


def run_kura(*args, input=None, stdin=subprocess.DEVNULL, timeout=600):
    """Run kura with args; returns (rc, stdout, stderr)."""
    proc = run([KURA_BIN, *args], check=False, input=input, stdin=stdin,
               timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def describe(rc, out, err):
    """Text for assertion messages: what kura said."""
    return "kura rc=%d\nstdout:\n%s\nstderr:\n%s" % (rc, out[-3000:], err[-3000:])


def have_tool(name):
    return shutil.which(name) is not None


# --------------------------------------------------------------------------------
# Workspace and test base class

def make_workspace(prefix="kura-it-"):
    return tempfile.mkdtemp(prefix=prefix, dir=TMP_PARENT)


class KuraTestCase(unittest.TestCase):
    """Base class: a per-class workspace (self.ws) and a per-test one (self.tmp).

    Both are removed afterwards. Cleanups run last-in first-out, so a loop device or
    mount registered inside a test is released before its backing files are removed.
    """

    REQUIRED_TOOLS = ("mke2fs", "e2fsck", "debugfs", "blkid", "losetup")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not (os.path.isfile(KURA_BIN) and os.access(KURA_BIN, os.X_OK)):
            raise AssertionError("kura binary not found: %s (set KURA_BIN)" % KURA_BIN)
        missing = [t for t in cls.REQUIRED_TOOLS if not have_tool(t)]
        if missing:
            raise AssertionError("tools missing: %s" % " ".join(missing))
        cls.ws = make_workspace()
        cls.addClassCleanup(shutil.rmtree, cls.ws, True)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix=self._testMethodName[:40] + "-", dir=self.ws)
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def path(self, *names):
        return os.path.join(self.tmp, *names)

    def new_repo(self, name="repo"):
        repo = self.path(name)
        os.mkdir(repo)
        return repo

    def attach_loop(self, backing):
        """Attach backing to a new loop device, detached at cleanup."""
        return self.enterContext(loop_device(backing))

    def mount(self, dev, mountpoint, options=None):
        return self.enterContext(mounted(dev, mountpoint, options))

    def assertKura(self, result, expected_rc, msg=""):
        rc, out, err = result
        self.assertEqual(rc, expected_rc, "%s\n%s" % (msg, describe(rc, out, err)))

    def assertSameBytes(self, a, b):
        off = first_difference(a, b)
        self.assertIsNone(off, "%s and %s differ, first at byte %s" % (a, b, off))


# --------------------------------------------------------------------------------
# Deterministic test trees

_WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima "
          "mike november oscar papa quebec romeo sierra tango uniform victor whiskey "
          "xray yankee zulu partition image block bitmap journal inode extent").split()

# Names a filesystem must keep exactly. Directory names avoid '"' only because the
# debugfs command language used by fs_snapshot() cannot quote it.
ODD_NAMES = ("with space", "trailing space ", " leading space", "-leading-dash",
             "ünïcödé-名前.txt", "semi;colon&amp$dollar", "it's", 'double"quote',
             "brackets[1](2){3}", "#hash", "~tilde", "back\\slash", "star*question?",
             ".hidden", "x" * 255)


def _text(rng, size):
    out = []
    n = 0
    while n < size:
        line = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 14))) + "\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:size]


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def random_tree(root, mib):
    """A new directory holding one file of `mib` MiB of random bytes: data that no
    compressor shrinks, for saves that must be slow or large."""
    os.makedirs(root)
    with open(os.path.join(root, "random.bin"), "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(MiB))
    return root


def make_tree(root, seed, big_mib=30, small_files=400):
    """Build a deterministic directory tree under root and return root.

    It holds: large files (big_mib MiB in total of random, text and mixed content),
    sparse files with a few written islands, many small files (some empty) in nested
    directories, hard links, relative/absolute/dangling symlinks (short ones stored in
    the inode and long ones in a block), and files with odd names.
    """
    rng = random.Random(seed)
    os.makedirs(root)
    big = os.path.join(root, "big")
    os.mkdir(big)
    third = big_mib * MiB // 3
    _write(os.path.join(big, "random.bin"), rng.randbytes(third))
    _write(os.path.join(big, "text.txt"), _text(rng, third))
    # Mixed: 64 KiB chunks of random bytes, text and zeros, so compression and
    # zero-block handling both see something.
    chunks = []
    for i in range(third // (64 * KiB)):
        kind = i % 3
        if kind == 0:
            chunks.append(rng.randbytes(64 * KiB))
        elif kind == 1:
            chunks.append(_text(rng, 64 * KiB))
        else:
            chunks.append(bytes(64 * KiB))
    _write(os.path.join(big, "mixed.bin"), b"".join(chunks) + b"odd tail")

    sparse = os.path.join(root, "sparse")
    os.mkdir(sparse)
    for name, size, islands in (
            ("holes.bin", 16 * MiB, (0, 5 * MiB + 123, 9 * MiB, 16 * MiB - 4096)),
            ("hole-first.bin", 8 * MiB, (7 * MiB + 7,)),
            ("all-hole.bin", 3 * MiB, ())):
        p = os.path.join(sparse, name)
        with open(p, "wb") as f:
            f.truncate(size)
            for off in islands:
                f.seek(off)
                f.write(rng.randbytes(rng.randint(1, 9000)))

    # Many small files spread over nested directories.
    dirs = [os.path.join(root, "small")]
    os.mkdir(dirs[0])
    deep = os.path.join(root, "deep")
    for level in range(12):
        deep = os.path.join(deep, "level%02d" % level)
        dirs.append(deep)
    os.makedirs(deep)
    for i in range(8):
        d = os.path.join(root, "small", "sub%d" % i, "inner")
        os.makedirs(d)
        dirs.append(d)
    small = []
    for i in range(small_files):
        d = rng.choice(dirs)
        p = os.path.join(d, "f%04d.%s" % (i, rng.choice(("txt", "dat", "cfg", ""))))
        size = 0 if rng.random() < 0.1 else rng.randint(1, 12000)
        _write(p, _text(rng, size) if rng.random() < 0.5 else rng.randbytes(size))
        os.chmod(p, rng.choice((0o644, 0o600, 0o755, 0o444, 0o4755, 0o1777)))
        small.append(p)

    odd = os.path.join(root, "odd names")
    os.mkdir(odd)
    for name in ODD_NAMES:
        _write(os.path.join(odd, name), name.encode() + b"\n" + rng.randbytes(100))
    os.mkdir(os.path.join(odd, "dir with ünïcödé & spaces"))

    links = os.path.join(root, "links")
    os.mkdir(links)
    os.link(os.path.join(big, "text.txt"), os.path.join(links, "hardlink-to-text"))
    os.link(small[0], os.path.join(links, "hardlink-a"))
    os.link(small[0], os.path.join(odd, "hardlink b"))
    os.symlink("../big/random.bin", os.path.join(links, "relative"))
    os.symlink("/etc/hostname", os.path.join(links, "absolute"))
    os.symlink("does/not/exist", os.path.join(links, "dangling"))
    os.symlink("../" + "long-target-" * 20, os.path.join(links, "long-dangling"))
    os.symlink("../small", os.path.join(links, "dir-link"))
    os.mkdir(os.path.join(root, "empty-dir"))
    return root


def tree_contents(root):
    """{relative path: (kind, content)} of a directory tree on the host.

    kind is 'f', 'd' or 'l'; content is the SHA-256 of a file, a symlink's target,
    or None for a directory.
    """
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                result[rel] = ("l", os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                result[rel] = ("d", None)
            else:
                result[rel] = ("f", sha256_file(full))
    return result


# --------------------------------------------------------------------------------
# Filesystems

def make_ext(path, size, mkfs_args=(), tree=None):
    """Create an ext filesystem in a fresh zeroed file of size bytes; return path."""
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(size)
    cmd = ["mke2fs", "-q", "-F", *mkfs_args]
    if tree is not None:
        cmd += ["-d", tree]
    run(cmd + [path])
    return path


def zeroed_file(path, size):
    """A fresh all-zero (sparse) file, the restore target the tests compare with."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def blkid_type(path):
    """The filesystem type as blkid names it (ext2/ext3/ext4/vfat...)."""
    return run(["blkid", "-p", "-o", "value", "-s", "TYPE", path]).stdout.strip()


def fsck_clean(path):
    """Run e2fsck -fn; returns (clean, output)."""
    proc = run(["e2fsck", "-fn", path], check=False)
    return proc.returncode == 0, proc.stdout + proc.stderr


_LS_LINE = re.compile(r"^/(\d+)/(\d+)/(\d+)/(\d+)/(.*)/(\d*)/$")


def fs_snapshot(fsimage, scratch):
    """What a user sees in an ext filesystem image, read with debugfs (no mount).

    Returns {path: (kind, mode, uid, gid, size, inode, content)}: the file data
    and symlink targets come from `debugfs rdump`, the metadata (inode numbers show
    hard links) from `debugfs ls -p` of every directory.
    """
    out = tempfile.mkdtemp(prefix="rdump-", dir=scratch)
    try:
        run(["debugfs", "-R", "rdump / %s" % out, fsimage])
        contents = tree_contents(out)
        dirs = [""] + sorted(p for p, (k, _) in contents.items() if k == "d")
        cmds = out + ".cmds"
        with open(cmds, "w") as f:
            for d in dirs:
                if '"' in d:
                    raise ValueError("directory name unusable in debugfs: %r" % d)
                f.write('ls -p "/%s"\n' % d)
        listing = run(["debugfs", "-f", cmds, fsimage]).stdout
        os.unlink(cmds)
    finally:
        shutil.rmtree(out, ignore_errors=True)

    meta = {}
    current = None
    dir_iter = iter(dirs)
    for line in listing.splitlines():
        if line.startswith("debugfs: "):
            current = next(dir_iter)
            continue
        m = _LS_LINE.match(line)
        if not m or current is None:
            continue
        ino, mode, uid, gid, name, size = m.groups()
        if name in ("", ".", "..") or ino == "0":
            continue  # empty directory slots (lost+found keeps some) and self/parent
        rel = os.path.join(current, name) if current else name
        meta[rel] = (int(mode, 8), int(uid), int(gid), int(size or 0), int(ino))

    snap = {}
    for rel, (kind, content) in contents.items():
        if rel not in meta:
            raise AssertionError("debugfs ls did not list %r in %s" % (rel, fsimage))
        snap[rel] = (kind,) + meta[rel] + (content,)
    if set(meta) != set(contents):
        raise AssertionError("rdump and ls disagree in %s: %r" % (
            fsimage, sorted(set(meta) ^ set(contents))[:10]))
    return snap


def files_identical(fsimage_a, fsimage_b, scratch):
    """True when two ext images hold the same files, links and metadata."""
    return fs_snapshot(fsimage_a, scratch) == fs_snapshot(fsimage_b, scratch)


def snapshot_differences(a, b, limit=10):
    """Human-readable list of the paths where two snapshots differ."""
    diffs = []
    for p in sorted(set(a) | set(b)):
        if a.get(p) != b.get(p):
            diffs.append("%r: %r != %r" % (p, a.get(p), b.get(p)))
    return diffs[:limit]


def make_fat(path, size, fat_bits, mkfs_args=()):
    """Create a FAT12/16/32 with mkfs.fat in a fresh zeroed file of size bytes; return path."""
    if os.path.exists(path):
        os.unlink(path)
    zeroed_file(path, size)
    run(["mkfs.fat", "-F", str(fat_bits), *mkfs_args, path])
    return path


def fat_copy_in(fsimage, sources, dest="::/"):
    """Copy host files/directories into a FAT image with mtools (`mcopy -s`)."""
    run(["mcopy", "-s", "-i", fsimage, *sources, dest])


def fat_fsck_clean(path):
    """Run `fsck.fat -n` (check only); returns (clean, output)."""
    proc = run(["fsck.fat", "-n", path], check=False)
    return proc.returncode == 0, proc.stdout + proc.stderr


def fat_contents(fsimage, scratch):
    """tree_contents() of a FAT image's files, read back with mtools (no mount)."""
    out = tempfile.mkdtemp(prefix="mcopy-", dir=scratch)
    try:
        run(["mcopy", "-s", "-n", "-i", fsimage, "::/*", out])
        return tree_contents(out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


# --------------------------------------------------------------------------------
# Files and bytes

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(4 * MiB)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


def dir_digest(root):
    """{relative path: SHA-256} of every file under root, to prove it was not changed."""
    return {os.path.relpath(os.path.join(d, f), root): sha256_file(os.path.join(d, f))
            for d, _, files in os.walk(root) for f in files}


def first_difference(a, b):
    """Offset of the first byte where files a and b differ (sizes too), or None."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        off = 0
        while True:
            ca = fa.read(4 * MiB)
            cb = fb.read(4 * MiB)
            if ca != cb:
                n = min(len(ca), len(cb))
                for i in range(n):
                    if ca[i] != cb[i]:
                        return off + i
                return off + n
            if not ca:
                return None
            off += len(ca)


def data_files(imgdir, part):
    """Data files of part in an image directory, in split order."""
    pat = re.compile(re.escape(part) + r"\.[A-Za-z0-9_+]+-ptcl-img\.[a-z0-9]+(\.[a-z]{2,})?$")
    return sorted(f for f in os.listdir(imgdir) if pat.match(f))


def split_suffixes(n):
    """The first n suffixes `split -a 2` uses: aa, ab, ..., az, ba, ..."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [letters[i // 26] + letters[i % 26] for i in range(n)]


def flip_byte(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0xFF]))


# --------------------------------------------------------------------------------
# Loop devices and mounts (only ones the tests create)

_LOOP_NAME = re.compile(r"^/dev/loop\d+(p\d+)?$")


@contextlib.contextmanager
def loop_device(backing):
    """Attach a regular file to a free loop device; detach it afterwards."""
    backing = os.path.realpath(backing)
    if not os.path.isfile(backing):
        raise ValueError("loop backing must be a regular file: %s" % backing)
    dev = run(["losetup", "-f", "--show", backing]).stdout.strip()
    if not _LOOP_NAME.match(dev):
        raise AssertionError("unexpected losetup answer: %r" % dev)
    # Partitions an earlier holder of this loop number added with partx (and a crash left)
    # are not the file's: they would show as its partitions.
    run(["partx", "-d", dev], check=False)
    try:
        yield dev
    finally:
        _detach(dev, backing)


def _detach(dev, backing):
    # Only detach the device while it is still the one attached to our file.
    for attempt in range(20):
        back = run(["losetup", "-n", "-O", "BACK-FILE", dev], check=False).stdout.strip()
        back = back.removesuffix(" (deleted)")
        if not back or os.path.realpath(back) != backing:
            return
        if run(["losetup", "-d", dev], check=False).returncode == 0:
            return
        time.sleep(0.25)
    print("warning: could not detach %s (%s)" % (dev, backing), file=sys.stderr)


@contextlib.contextmanager
def partitioned_loop(disk_image):
    """Attach a partitioned disk image with its partitions (/dev/loopNp1, ...); detach afterwards.
    Without udev the kernel may not scan the table by itself, so partx adds what is missing."""
    with loop_device(disk_image) as dev:
        # Partitions a crashed run left on this loop number would shadow ours: clear them.
        run(["partx", "-d", dev], check=False)
        run(["partx", "-a", dev], check=False)
        try:
            yield dev
        finally:
            run(["partx", "-d", dev], check=False)


@contextlib.contextmanager
def mounted(dev, mountpoint, options=None):
    if not _LOOP_NAME.match(dev):
        raise ValueError("tests only mount their own loop devices: %s" % dev)
    os.makedirs(mountpoint, exist_ok=True)
    cmd = ["mount"] + (["-o", options] if options else []) + [dev, mountpoint]
    run(cmd)
    try:
        yield mountpoint
    finally:
        for attempt in range(20):
            if run(["umount", mountpoint], check=False).returncode == 0:
                break
            time.sleep(0.25)
        else:
            run(["umount", "-l", mountpoint], check=False)


# --------------------------------------------------------------------------------
# Partclone: reference reader and writer

def partclone_save(src, out, log, extra=()):
    """`partclone.ext4 -c` of src into a new uncompressed image file out."""
    run(["partclone.ext4", "-q", "-c", *extra, "-s", src, "-o", out, "-L", log])
    return out


def compress_file(src, dst, suffix):
    """Compress src into dst with the tool matching a data-file suffix."""
    if suffix == "uncomp":
        shutil.copyfile(src, dst)
    elif suffix == "zst":
        run(["zstd", "-q", "-3", "-f", src, "-o", dst])
    elif suffix == "gz":
        run_shell("gzip -c %s > %s" % (shlex.quote(src), shlex.quote(dst)))
    else:
        raise ValueError(suffix)
    return dst


def split_file(src, prefix, size_arg="1MB"):
    """Cut src into prefix.aa, prefix.ab, ... as Clonezilla does (`split -a 2 -b`)."""
    run(["split", "-a", "2", "-b", size_arg, src, prefix + "."])
    d, base = os.path.split(prefix)
    return sorted(f for f in os.listdir(d) if f.startswith(base + "."))


def stream_cmd(pieces, suffix):
    """Shell text that writes the decompressed stream of the pieces to stdout."""
    return "cat %s | %s" % (" ".join(shlex.quote(p) for p in pieces),
                            shlex.join(DECOMPRESS_CMD[suffix]))


def partclone_restore(pieces, suffix, target, log):
    """Restore with partclone.restore from stdin onto an existing target file."""
    return run_shell("%s | partclone.restore -q -s - -O %s -L %s" % (
        stream_cmd(pieces, suffix), shlex.quote(target), shlex.quote(log)), check=False)


def partclone_chkimg(pieces, suffix, log):
    return run_shell("%s | partclone.chkimg -s - -L %s" % (
        stream_cmd(pieces, suffix), shlex.quote(log)), check=False)


# --------------------------------------------------------------------------------
# Partclone v2 stream layout (see the format notes, section 1)

V2_HEADER_SIZE = 110


def read_v2_header(data):
    """Parse the 110-byte v2 header from the start of data."""
    if data[:15] != b"partclone-image" or data[30:34] != b"0002":
        raise ValueError("not a partclone v2 image")
    (device_size, totalblock, _sb_used, usedblocks, block_size, _feat, _ver, _bits,
     cs_mode, cs_size, bpc, _reseed, bitmap_mode) = struct.unpack_from(
        "<QQQQIIHHHHIBB", data, 52)
    return {"device_size": device_size, "totalblock": totalblock,
            "usedblocks": usedblocks, "block_size": block_size,
            "checksum_mode": cs_mode, "checksum_size": cs_size,
            "blocks_per_checksum": bpc, "bitmap_mode": bitmap_mode}


def v2_used_blocks(data, header):
    """Used block numbers, ascending, from the bit bitmap after the header."""
    nbytes = (header["totalblock"] + 7) // 8
    bitmap = data[V2_HEADER_SIZE:V2_HEADER_SIZE + nbytes]
    used = []
    for i, byte in enumerate(bitmap):
        if byte:
            for bit in range(8):
                if byte >> bit & 1:
                    used.append(i * 8 + bit)
    return used


def v2_block_offset(header, index):
    """Offset in the stream of the index-th used block's data."""
    bs = header["block_size"]
    data_start = V2_HEADER_SIZE + (header["totalblock"] + 7) // 8 + 4
    groups_before = index // header["blocks_per_checksum"] if header["checksum_size"] else 0
    return data_start + index * bs + groups_before * header["checksum_size"]


def main():
    """Entry point for the test files: unittest with a summary, non-zero on failure."""
    unittest.main(verbosity=2)


# --------------------------------------------------------------------------------
# NTFS (mkntfs, ntfs-3g through FUSE: the host kernel has no ntfs driver of its own)

@contextlib.contextmanager
def ntfs_mounted(volume, mountpoint, options=None):
    """ntfs-3g on one of the test's own image files or loop devices; unmounted afterwards."""
    os.makedirs(mountpoint, exist_ok=True)
    run(["ntfs-3g"] + (["-o", options] if options else []) + [volume, mountpoint])
    try:
        yield mountpoint
    finally:
        for attempt in range(20):
            if run(["umount", mountpoint], check=False).returncode == 0:
                break
            time.sleep(0.25)
        else:
            run(["umount", "-l", mountpoint], check=False)


def make_ntfs(path, size, cluster=4096, label="kura-ntfs", extra=()):
    """A quick-formatted NTFS on a new zero-filled (sparse) file."""
    zeroed_file(path, size)
    run(["mkntfs", "-q", "-F", "-f", "-c", str(cluster), "-L", label, *extra, path])
    return path


def ntfs_tree(volume, mountpoint):
    """{path: (kind, content)} of an NTFS volume, alternate data streams included
    (as user.* extended attributes through ntfs-3g's streams_interface=xattr)."""
    with ntfs_mounted(volume, mountpoint, "ro,streams_interface=xattr") as mnt:
        result = tree_contents(mnt)
        for dirpath, dirnames, filenames in os.walk(mnt):
            for name in dirnames + filenames:
                full = os.path.join(dirpath, name)
                if os.path.islink(full):
                    continue
                for attr in sorted(os.listxattr(full)):
                    if attr.startswith("user."):
                        value = os.getxattr(full, attr)
                        result[os.path.relpath(full, mnt) + ":" + attr[5:]] = (
                            "s", hashlib.sha256(value).hexdigest())
        return result


def ntfsfix_clean(volume):
    """(clean, report) from `ntfsfix -n`, which changes nothing."""
    r = run(["ntfsfix", "-n", volume], check=False)
    report = r.stdout + r.stderr
    return r.returncode == 0 and "Checking the alternate boot sector... OK" in report, report
