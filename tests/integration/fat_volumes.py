# SPDX-License-Identifier: GPL-3.0-or-later
"""FAT volumes for the tests: real trees copied in with mtools (fragmented on purpose), and
an independent reading of the FAT (geometry, entries, the used sectors) to check kura and
partclone.fat against."""

import os
import random
import struct

import kuratest as kt

KiB = kt.KiB


def build_fat_tree(root, seed, big_kib, frag_files):
    """Host tree for a FAT volume. Returns (first, rest): the fragmenting small files under
    first/frag (copied in before everything else) and the rest of the tree under rest."""
    rng = random.Random(seed)
    first, rest = os.path.join(root, "first"), os.path.join(root, "rest")
    frag = os.path.join(first, "frag")
    os.makedirs(frag)
    for i in range(frag_files):
        kt._write(os.path.join(frag, "piece%04d.bin" % i), rng.randbytes(rng.randint(1, 6) * KiB))

    big = os.path.join(rest, "Big Files With Long Names")
    os.makedirs(big)
    for i, kind in enumerate(("random", "text", "mixed")):
        size = big_kib * KiB // 3 + i * 777
        if kind == "random":
            data = rng.randbytes(size)
        elif kind == "text":
            data = kt._text(rng, size)
        else:
            data = b"".join(rng.randbytes(4 * KiB) if j % 2 else bytes(4 * KiB)
                            for j in range(size // (4 * KiB) + 1))[:size]
        kt._write(os.path.join(big, "A %s file whose name is much longer than eight dot three.%s"
                               % (kind, kind[:3])), data)
    deep = rest
    for level in range(10):
        deep = os.path.join(deep, "Level %02d directory" % level)
    os.makedirs(deep)
    kt._write(os.path.join(deep, "bottom of the tree.txt"), kt._text(rng, 5000))
    kt._write(os.path.join(rest, "empty file"), b"")
    os.makedirs(os.path.join(rest, "empty directory"))
    small = os.path.join(rest, "small")
    os.makedirs(small)
    for i in range(60):
        kt._write(os.path.join(small, "note-%03d.txt" % i), kt._text(rng, rng.randint(1, 3000)))
    kt._write(os.path.join(rest, "SHORT.TXT"), b"an 8.3 name\n")
    return first, rest


def fill_fragmented(fsimage, first, rest):
    """Copy the small files, delete every other one (on the volume and on the host), then
    copy the rest, whose big files land in the holes and end up fragmented."""
    kt.fat_copy_in(fsimage, [os.path.join(first, "frag")])
    frag = os.path.join(first, "frag")
    victims = sorted(os.listdir(frag))[1::2]
    for i in range(0, len(victims), 100):
        kt.run(["mdel", "-i", fsimage] + ["::/frag/" + v for v in victims[i:i + 100]])
    for v in victims:
        os.unlink(os.path.join(frag, v))
    geo = fat_geometry(fsimage)
    if geo["bits"] == 32:
        # mtools allocates after FSInfo's "next free cluster" hint; "unknown" (0xFFFFFFFF,
        # a valid value) makes it search from the start, so new files fill the holes.
        with open(fsimage, "r+b") as f:
            f.seek(geo["fsinfo"] * geo["bps"] + 492)
            f.write(b"\xff\xff\xff\xff")
    kt.fat_copy_in(fsimage, [os.path.join(rest, n) for n in sorted(os.listdir(rest))])


def host_contents(first, rest):
    expected = {os.path.join("frag", k): v
                for k, v in kt.tree_contents(os.path.join(first, "frag")).items()}
    expected["frag"] = ("d", None)
    expected.update(kt.tree_contents(rest))
    return expected


def fat_geometry(path):
    """(bytes per sector, reserved sectors, FAT count, sectors per FAT, first data sector,
    sectors per cluster, FAT bits) read from a FAT boot sector."""
    with open(path, "rb") as f:
        bs = f.read(512)
    bps, spc, reserved, nfats, root_entries, total16, _media, fat16 = struct.unpack_from(
        "<HBHBHHBH", bs, 11)
    total = total16 or struct.unpack_from("<I", bs, 32)[0]
    fat_size = fat16 or struct.unpack_from("<I", bs, 36)[0]
    root_sectors = (root_entries * 32 + bps - 1) // bps
    first_data = reserved + nfats * fat_size + root_sectors
    clusters = (total - first_data) // spc
    bits = 32 if fat16 == 0 else (12 if clusters <= 4084 else 16)
    fsinfo = struct.unpack_from("<H", bs, 48)[0] if bits == 32 else None
    return {"fsinfo": fsinfo, "bps": bps, "reserved": reserved, "nfats": nfats, "fat_size": fat_size,
            "first_data": first_data, "spc": spc, "bits": bits, "clusters": clusters,
            "total": total}


def read_fat(geo, path, copy=0):
    with open(path, "rb") as f:
        f.seek((geo["reserved"] + copy * geo["fat_size"]) * geo["bps"])
        return f.read(geo["fat_size"] * geo["bps"])


def used_sectors(geo, path):
    """The sectors partclone.fat's rules call used, computed here from FAT #1: everything
    before the data area, every cluster not free (0) or bad, the sectors after the last
    cluster."""
    fat = read_fat(geo, path)
    bad = {12: 0xFF7, 16: 0xFFF7, 32: 0x0FFFFFF7}[geo["bits"]]
    used = set(range(geo["first_data"]))
    for c in range(2, geo["clusters"] + 2):
        if fat_entry(geo, fat, c) not in (0, bad):
            start = geo["first_data"] + (c - 2) * geo["spc"]
            used.update(range(start, start + geo["spc"]))
    used.update(range(geo["first_data"] + geo["clusters"] * geo["spc"], geo["total"]))
    return used


def chain_jumps(geo, path):
    """How many chain links go anywhere but the next cluster: > 0 means fragmented files."""
    fat = read_fat(geo, path)
    end = geo["clusters"] + 2
    return sum(1 for c in range(2, end) if 2 <= fat_entry(geo, fat, c) < end
               and fat_entry(geo, fat, c) != c + 1)


def with_free_space_zeroed(geo, src, used, out):
    """A copy of src whose unused sectors are zero: what a restore onto a zeroed target
    must give (deleted files leave their data in free clusters of the source)."""
    bps = geo["bps"]
    with open(src, "rb") as f, open(out, "wb") as o:
        o.truncate(os.path.getsize(src))
        for s in sorted(used):
            f.seek(s * bps)
            o.seek(s * bps)
            o.write(f.read(bps))
    return out


def used_cluster(geo, path, skip=0):
    """A cluster whose FAT entry is in use and is a chain link (not the end of a chain)."""
    with open(path, "rb") as f:
        f.seek(geo["reserved"] * geo["bps"])
        fat = f.read(geo["fat_size"] * geo["bps"])
    for c in range(3, geo["clusters"] + 2):
        v = fat_entry(geo, fat, c)
        if 2 <= v < geo["clusters"] + 2:
            if skip == 0:
                return c
            skip -= 1
    raise AssertionError("no chained cluster in %s" % path)


def fat_entry(geo, fat, c):
    if geo["bits"] == 12:
        v = fat[c * 3 // 2] | fat[c * 3 // 2 + 1] << 8
        return v >> 4 if c & 1 else v & 0xFFF
    if geo["bits"] == 16:
        return struct.unpack_from("<H", fat, 2 * c)[0]
    return struct.unpack_from("<I", fat, 4 * c)[0] & 0x0FFFFFFF


def set_fat_entry(geo, path, copy, c, value):
    """Write entry c of FAT copy `copy` (0-based) directly into the image file."""
    base = (geo["reserved"] + copy * geo["fat_size"]) * geo["bps"]
    with open(path, "r+b") as f:
        if geo["bits"] == 12:
            f.seek(base + c * 3 // 2)
            v = int.from_bytes(f.read(2), "little")
            v = (v & 0x000F) | (value << 4) if c & 1 else (v & 0xF000) | value
            f.seek(base + c * 3 // 2)
            f.write(v.to_bytes(2, "little"))
        elif geo["bits"] == 16:
            f.seek(base + 2 * c)
            f.write(struct.pack("<H", value))
        else:
            f.seek(base + 4 * c)
            f.write(struct.pack("<I", value))
