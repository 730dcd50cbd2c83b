# SPDX-License-Identifier: GPL-3.0-or-later
"""NTFS volumes for the NTFS tests, made by mkntfs and filled through ntfs-3g, and the few
on-disk facts the tests check independently of kura (parsed here from the NTFS layout, not
through kura or libntfs-3g): the $MFT's fragments, the volume flags, the boot sectors."""
import os
import random
import struct

from kuratest import make_ntfs, make_tree, ntfs_mounted

VOLUME_IS_DIRTY = 0x0001


def boot_sector(volume, offset=0):
    with open(volume, "rb") as f:
        f.seek(offset)
        return f.read(512)


def geometry(volume):
    """(bytes per sector, cluster size, total sectors, $MFT lcn, $MFTMirr lcn, record size)."""
    b = boot_sector(volume)
    bps, = struct.unpack_from("<H", b, 0x0B)
    cluster = bps * b[0x0D]
    total, mft, mirr = struct.unpack_from("<qqq", b, 0x28)
    c = struct.unpack_from("<b", b, 0x40)[0]
    record = c * cluster if c > 0 else 1 << -c
    return bps, cluster, total, mft, mirr, record


def backup_boot_offset(volume):
    bps, _, total, _, _, _ = geometry(volume)
    return total * bps


def hidden_sectors(volume, offset=0):
    return struct.unpack_from("<I", boot_sector(volume, offset), 0x1C)[0]


def _read_record(f, at, size, bps):
    f.seek(at)
    r = bytearray(f.read(size))
    usa_off, usa_n = struct.unpack_from("<HH", r, 4)
    for i in range(1, usa_n):  # undo the update-sequence fixups
        r[i * bps - 2:i * bps] = r[usa_off + 2 * i:usa_off + 2 * i + 2]
    return r


def _write_record(f, at, r, bps):
    r = bytearray(r)
    usa_off, usa_n = struct.unpack_from("<HH", r, 4)
    usn = r[usa_off:usa_off + 2]
    for i in range(1, usa_n):
        r[usa_off + 2 * i:usa_off + 2 * i + 2] = r[i * bps - 2:i * bps]
        r[i * bps - 2:i * bps] = usn
    f.seek(at)
    f.write(r)


def _attributes(r):
    off, = struct.unpack_from("<H", r, 0x14)
    while True:
        kind, length = struct.unpack_from("<II", r, off)
        if kind == 0xFFFFFFFF:
            return
        yield kind, off
        off += length


def mft_fragments(volume):
    """How many runs the $MFT's $DATA attribute has (1 = contiguous)."""
    bps, cluster, _, mft, _, record = geometry(volume)
    with open(volume, "rb") as f:
        r = _read_record(f, mft * cluster, record, bps)
    for kind, off in _attributes(r):
        if kind == 0x80 and r[off + 8]:
            p = off + struct.unpack_from("<H", r, off + 0x20)[0]
            runs = 0
            while r[p]:
                p += 1 + (r[p] & 15) + (r[p] >> 4)
                runs += 1
            return runs
    raise AssertionError("no non-resident $DATA in $MFT")


def set_volume_flags(volume, flags):
    """Sets bits in $Volume's $VOLUME_INFORMATION flags, in $MFT and its mirror, as Windows
    does when it marks a volume dirty."""
    bps, cluster, _, mft, mirr, record = geometry(volume)
    with open(volume, "r+b") as f:
        for base in (mft * cluster, mirr * cluster):
            at = base + 3 * record  # $Volume is MFT record 3, within the mirrored first four
            r = _read_record(f, at, record, bps)
            for kind, off in _attributes(r):
                if kind == 0x70:
                    value = off + struct.unpack_from("<H", r, off + 0x14)[0]
                    old, = struct.unpack_from("<H", r, value + 10)
                    struct.pack_into("<H", r, value + 10, old | flags)
                    break
            else:
                raise AssertionError("no $VOLUME_INFORMATION in $Volume")
            _write_record(f, at, r, bps)


def populate(volume, mountpoint, seed):
    """Every layout the tests care about: a fragmented $MFT (small files created after big
    ones filled the volume and half of them were deleted), a tree of odd names, compressed
    files, sparse files and alternate data streams."""
    with ntfs_mounted(volume, mountpoint, "compression,streams_interface=windows") as mnt:
        fill = os.path.join(mnt, "fill")
        os.mkdir(fill)
        rng = random.Random(seed)
        n = 0
        try:
            while n < 400:
                with open(os.path.join(fill, "big%03d" % n), "wb") as f:
                    f.write(rng.randbytes(1 << 20))
                n += 1
        except OSError:
            pass  # the volume is full: the MFT zone is used up too
        for i in range(0, n, 2):
            os.remove(os.path.join(fill, "big%03d" % i))
        small = os.path.join(mnt, "small")
        os.mkdir(small)
        for i in range(2500):
            with open(os.path.join(small, "s%04d.txt" % i), "w") as f:
                f.write("small file %d\n" % i * (i % 7 + 1))
        make_tree(os.path.join(mnt, "tree"), seed=seed, big_mib=2, small_files=150)
        compressed = os.path.join(mnt, "compressed")
        os.mkdir(compressed)
        os.setxattr(compressed, "system.ntfs_attrib_be", (0x800).to_bytes(4, "big"))
        with open(os.path.join(compressed, "text.log"), "w") as f:
            for i in range(60000):
                f.write("line %d of a compressible log\n" % i)
        with open(os.path.join(mnt, "sparse.bin"), "wb") as f:
            f.truncate(40 << 20)
            for at in (0, 7 << 20, 33 << 20):
                f.seek(at)
                f.write(b"sparse island %d" % at)
        with open(os.path.join(mnt, "streams.txt"), "w") as f:
            f.write("main stream\n")
        with open(os.path.join(mnt, "streams.txt:Zone.Identifier"), "w") as f:
            f.write("[ZoneTransfer]\nZoneId=3\n")
        with open(os.path.join(mnt, "streams.txt:second"), "wb") as f:
            f.write(rng.randbytes(10000))


def make_populated_ntfs(path, size, mountpoint, seed=11):
    make_ntfs(path, size)
    populate(path, mountpoint, seed)
    return path
