#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds small single-extent VMFS3 and VMFS5 volumes (partition images, no partition table)
for kura's tests: there is no mkfs for VMFS outside ESX. Written from the on-disk layout as
vmfs-tools' libvmfs reads it (docs/vmfs.md, src/fs/vmfs_layout.h); vmfs-tools' debugvmfs /
vmfs-fuse / fsck.vmfs are the independent proof that the result is a volume they read as
intended.

The volume holds files laid out every way the format allows: a fragmented multi-block file
(blocks in reverse order around a free block), a sparse file (a hole and a to-be-zeroed
block holding stale bytes), a sub-block file, a file behind a pointer block, inline data
(VMFS5), and a subdirectory kept in a sub-block with a file inside.

    make_vmfs.py OUT --version 5 --block-mib 1 --size-mib 160 [--data-mib N] [--manifest M.json]

`--data-mib` adds that much seeded random data in extra files (for benchmarks). The
manifest lists every file's path and SHA-256, so tests can check what the tools read back."""
import argparse
import hashlib
import json
import math
import os
import random
import struct
import uuid

MiB = 1 << 20
BASE = 0x100000                 # volume header, partition offset
DATA = BASE + 0x1000000         # logical volume byte 0, partition offset 17 MiB
SEGMENT = 256 * MiB
FSINFO = 0x200000               # FS descriptor, logical offset
HB_BASE, HB_SIZE, HB_COUNT = 0x300000, 0x200, 2048
HB_END = HB_BASE + HB_SIZE * HB_COUNT   # 4 MiB
ENTRY = 0x400                   # bitmap entry size
HDR = 0x10000                   # header size of every resource file
INODE = 0x800
DIRENT = 0x8C

MAGIC_VOL, MAGIC_FS, MAGIC_INODE = 0xC001D00D, 0x2FABF15E, 0x10C00001
MAGIC_FBB, MAGIC_SBC, MAGIC_PBC, MAGIC_FDC = 0x10C00002, 0x10C00003, 0x10C00004, 0x10C00005
T_DIR, T_FILE, T_META = 2, 3, 5
ZLA_FB, ZLA_SB, ZLA_PB, ZLA_INLINE = 1, 2, 3, 4301 + 4
TBZ = 4


def fb_id(item, flags=0):
    return (item << 6) | (flags << 3) | 1


def sb_id(entry, item):
    return ((item & 0xF) << 28) | (entry << 6) | (((item >> 4) & 3) << 3) | 2


def pb_id(entry, item):
    return (item << 28) | (entry << 6) | 3


def fd_id(entry, item):
    return (item << 22) | (entry << 6) | 4


class Resource:
    """A resource (bitmap) file: header, then areas of bitmap entries and item payloads."""

    def __init__(self, magic, items_per_entry, entries_per_area, data_size, total_items):
        self.magic, self.ipe, self.epa, self.data_size = magic, items_per_entry, entries_per_area, data_size
        self.total = total_items
        self.ipa = self.ipe * self.epa
        self.area_size = self.epa * ENTRY + self.ipa * data_size
        self.areas = math.ceil(total_items / self.ipa)
        self.allocated = set()
        self.next_free = 0

    def size(self):
        """Bytes the file must hold: up to the last entry and the last item's payload."""
        last = self.total - 1
        area = last // self.ipa
        return HDR + area * self.area_size + self.epa * ENTRY + ((last % self.ipa) + 1) * self.data_size

    def alloc(self):
        while self.next_free in self.allocated:
            self.next_free += 1
        item = self.next_free
        if item >= self.total:
            raise ValueError("resource file full")
        self.allocated.add(item)
        return item // self.ipe, item % self.ipe   # (entry, item in entry)

    def item_offset(self, entry, item):
        addr = entry * self.ipe + item
        return HDR + (addr // self.ipa) * self.area_size + self.epa * ENTRY + (addr % self.ipa) * self.data_size

    def entry_offset(self, entry):
        return HDR + (entry // self.epa) * self.area_size + (entry % self.epa) * ENTRY


class Volume:
    def __init__(self, path, version, block_mib, size_mib, seed=1):
        self.path, self.version, self.bs = path, version, block_mib * MiB
        self.rng = random.Random(seed)
        self.size = size_mib * MiB
        self.items = (self.size - DATA) // self.bs
        if self.items < 16:
            raise ValueError("volume too small for %d MiB blocks" % block_mib)
        self.lv_size = self.items * self.bs
        self.fdc_base = max(1, HB_END // self.bs)
        self.sb_size = 8192 if version == 5 else 65536
        self.fb_used = {}           # FB item -> owner, for the manifest
        self.files = {}             # path -> SHA-256 of the bytes a reader must get
        self.lvm_uuid = uuid.UUID(int=self.rng.getrandbits(128)).bytes
        self.fs_uuid = uuid.UUID(int=self.rng.getrandbits(128)).bytes
        self.f = open(path, "w+b")
        self.f.truncate(self.size)
        # Resource files and their fixed places.
        self.fdc = Resource(MAGIC_FDC, 32, 32, INODE, 256)
        self.fbb = Resource(MAGIC_FBB, 200, 32, 0, self.items)
        self.pbc = Resource(MAGIC_PBC, 16, 32, 4096, 32)
        self.sbc = Resource(MAGIC_SBC, 16, 32, self.sb_size, 64)
        self.vh_blocks = list(range(math.ceil(HB_END / self.bs)))
        for b in self.vh_blocks:
            self.take_fb(b, ".vh.sf")
        self.fdc_blocks = [self.take_fb(self.fdc_base, ".fdc.sf")]
        if self.fdc.size() > self.bs:
            raise ValueError("the FDC must fit its bootstrap block")
        self.inodes = {}            # fd id -> inode bytes (written at the end)
        self.dir_entries = {}       # dir fd id -> [(type, fd id, name)]
        self.root = self.fd_alloc()
        assert self.root == fd_id(0, 0)

    # -- low level ------------------------------------------------------------------
    def write_logical(self, offset, data):
        self.f.seek(DATA + offset)
        self.f.write(data)

    def take_fb(self, item, owner):
        if item in self.fb_used or item >= self.items:
            raise ValueError("FB %d unavailable" % item)
        self.fb_used[item] = owner
        return item

    def alloc_fb(self, owner, avoid=()):
        item = next(i for i in range(self.items) if i not in self.fb_used and i not in avoid)
        return self.take_fb(item, owner)

    def fd_alloc(self):
        return fd_id(*self.fdc.alloc())

    def mdh(self, magic, pos):
        return struct.pack("<IQQQQI16sQ", magic, pos, 0, 0, 1, 0, bytes(16), 0).ljust(0x200, b"\0")

    def file_blocks_write(self, blocks, offset_in_file, data):
        """Writes `data` at `offset_in_file` of a file made of the FB items `blocks`."""
        while data:
            index, within = divmod(offset_in_file, self.bs)
            n = min(len(data), self.bs - within)
            self.write_logical(blocks[index] * self.bs + within, data[:n])
            data, offset_in_file = data[n:], offset_in_file + n

    def logical_of(self, blocks, offset_in_file):
        index, within = divmod(offset_in_file, self.bs)
        return blocks[index] * self.bs + within

    # -- inodes and directories ---------------------------------------------------------
    def inode(self, fd, kind, size, blk_size, zla, ids=(), content=b"", tbz=0, mode=0o644):
        entry, item = (fd >> 6) & 0xFFFF, fd >> 22
        body = struct.pack("<IIIIIQQQIIIIIIIII", fd, item + 1, 1, kind, 0, size, blk_size,
                           len([i for i in ids if i]) if zla != ZLA_INLINE else 0,
                           1700000000, 1700000000, 1700000000, 0, 0, mode, zla, tbz, 0)
        raw = bytearray(INODE)
        pos_in_fdc = self.fdc.item_offset(entry, item)
        raw[0:0x200] = self.mdh(MAGIC_INODE, self.logical_of(self.fdc_blocks, pos_in_fdc))
        raw[0x200:0x200 + len(body)] = body
        if zla == ZLA_INLINE:
            raw[0x400:0x400 + len(content)] = content
        else:
            for i, bid in enumerate(ids):
                struct.pack_into("<I", raw, 0x400 + 4 * i, bid)
        self.inodes[fd] = bytes(raw)

    def add_dirent(self, parent, kind, fd, name):
        self.dir_entries.setdefault(parent, []).append((kind, fd, name))

    def sb_alloc(self):
        entry, item = self.sbc.alloc()
        return entry, item, sb_id(entry, item)

    def pb_alloc(self):
        entry, item = self.pbc.alloc()
        return entry, item, pb_id(entry, item)

    # -- files --------------------------------------------------------------------------
    def add_fb_file(self, parent, name, data, order=None, holes=(), tbz=()):
        """A file in whole file blocks; `holes` are block indexes left unallocated,
        `tbz` ones allocated with the to-be-zeroed flag (stale bytes on disk, reads zeros)."""
        fd = self.fd_alloc()
        count = math.ceil(len(data) / self.bs)
        wanted = [i for i in range(count) if i not in holes]
        items = {}
        for i in (order(wanted) if order else wanted):
            items[i] = self.alloc_fb(name)
        ids = []
        for i in range(count):
            if i in holes:
                ids.append(0)
            elif i in tbz:
                ids.append(fb_id(items[i], TBZ))
                self.write_logical(items[i] * self.bs, b"STALE" * 1000)
            else:
                ids.append(fb_id(items[i]))
                self.write_logical(items[i] * self.bs, data[i * self.bs:(i + 1) * self.bs])
        expected = bytearray(data)
        for i in list(holes) + list(tbz):
            expected[i * self.bs:(i + 1) * self.bs] = bytes(len(expected[i * self.bs:(i + 1) * self.bs]))
        self.inode(fd, T_FILE, len(data), self.bs, ZLA_FB, ids, tbz=len(tbz))
        self.add_dirent(parent, T_FILE, fd, name)
        self.files[self.path_of(parent, name)] = hashlib.sha256(expected).hexdigest()
        return fd

    def add_sb_file(self, parent, name, data):
        assert len(data) <= self.sb_size
        fd = self.fd_alloc()
        entry, item, bid = self.sb_alloc()
        self.sbc_payload[(entry, item)] = data
        self.inode(fd, T_FILE, len(data), self.sb_size, ZLA_SB, [bid])
        self.add_dirent(parent, T_FILE, fd, name)
        self.files[self.path_of(parent, name)] = hashlib.sha256(data).hexdigest()
        return fd

    def add_pb_file(self, parent, name, data):
        fd = self.fd_alloc()
        count = math.ceil(len(data) / self.bs)
        entry, item, bid = self.pb_alloc()
        ids = []
        for i in range(count):
            fb = self.alloc_fb(name)
            self.write_logical(fb * self.bs, data[i * self.bs:(i + 1) * self.bs])
            ids.append(fb_id(fb))
        self.pbc_payload[(entry, item)] = b"".join(struct.pack("<I", x) for x in ids)
        self.inode(fd, T_FILE, len(data), self.bs, ZLA_PB, [bid])
        self.add_dirent(parent, T_FILE, fd, name)
        self.files[self.path_of(parent, name)] = hashlib.sha256(data).hexdigest()
        return fd

    def add_inline_file(self, parent, name, data):
        assert self.version == 5 and len(data) <= 1024
        fd = self.fd_alloc()
        self.inode(fd, T_FILE, len(data), self.bs, ZLA_INLINE, content=data)
        self.add_dirent(parent, T_FILE, fd, name)
        self.files[self.path_of(parent, name)] = hashlib.sha256(data).hexdigest()
        return fd

    def add_sb_dir(self, parent, name):
        fd = self.fd_alloc()
        entry, item, bid = self.sb_alloc()
        self.sb_dirs[fd] = (entry, item, bid)
        self.names[fd] = self.path_of(parent, name)
        self.add_dirent(parent, T_DIR, fd, name)
        self.add_dirent(fd, T_DIR, fd, ".")
        self.add_dirent(fd, T_DIR, parent, "..")
        return fd

    def path_of(self, parent, name):
        return name if parent == self.root else self.names[parent] + "/" + name

    # -- the whole volume -----------------------------------------------------------------
    def build(self, extra_data_bytes=0):
        self.sbc_payload, self.pbc_payload, self.sb_dirs, self.names = {}, {}, {}, {}
        root = self.root
        self.add_dirent(root, T_DIR, root, ".")
        self.add_dirent(root, T_DIR, root, "..")
        # Resource files: FBs right after the FDC, root directory in its own FB.
        fbb_n = math.ceil(self.fbb.size() / self.bs)
        pbc_n = math.ceil(self.pbc.size() / self.bs)
        sbc_n = math.ceil(self.sbc.size() / self.bs)
        self.root_blocks = [self.alloc_fb("/")]
        self.fbb_blocks = [self.alloc_fb(".fbb.sf") for _ in range(fbb_n)]
        self.pbc_blocks = [self.alloc_fb(".pbc.sf") for _ in range(pbc_n)]
        self.sbc_blocks = [self.alloc_fb(".sbc.sf") for _ in range(sbc_n)]
        meta = {}
        for name in (".fbb.sf", ".fdc.sf", ".pbc.sf", ".sbc.sf", ".vh.sf"):
            meta[name] = self.fd_alloc()
            self.add_dirent(root, T_META, meta[name], name)

        rng = self.rng
        bs = self.bs
        free_gap = []  # a free FB between the fragments of big.bin
        self.add_fb_file(root, "big.bin", rng.randbytes(3 * bs + 12345),
                         order=lambda idx: list(reversed(idx)))
        free_gap.append(self.alloc_fb("gap"))
        self.add_fb_file(root, "fragmented.bin", rng.randbytes(2 * bs + 777),
                         order=lambda idx: idx)
        del self.fb_used[free_gap[0]]          # leave a free block in the middle
        self.add_fb_file(root, "sparse.bin", rng.randbytes(4 * bs), holes=(1,), tbz=(2,))
        self.add_sb_file(root, "small.txt", b"a file in one sub-block\n" * 50)
        self.add_pb_file(root, "viapb.bin", rng.randbytes(2 * bs + 4321))
        if self.version == 5:
            self.add_inline_file(root, "inline.txt", b"inline data, kept in the inode itself\n" * 10)
        d = self.add_sb_dir(root, "dir1")
        self.add_fb_file(d, "nested.bin", rng.randbytes(bs // 2 + 99))
        self.add_sb_file(d, "note.txt", b"nested sub-block file\n")
        if extra_data_bytes:
            bulk = self.add_sb_dir(root, "bulk")
            chunk = 64 * bs
            left, n = extra_data_bytes, 0
            while left > 0:
                size = min(left, chunk)
                self.add_pb_file(bulk, "data%03d.bin" % n, rng.randbytes(size))
                left -= size
                n += 1

        # Metadata files' inodes.
        def ids(blocks):
            return [fb_id(b) for b in blocks]
        self.inode(meta[".fbb.sf"], T_META, fbb_n * bs, bs, ZLA_FB, ids(self.fbb_blocks))
        self.inode(meta[".fdc.sf"], T_META, bs, bs, ZLA_FB, ids(self.fdc_blocks))
        self.inode(meta[".pbc.sf"], T_META, pbc_n * bs, bs, ZLA_FB, ids(self.pbc_blocks))
        self.inode(meta[".sbc.sf"], T_META, sbc_n * bs, bs, ZLA_FB, ids(self.sbc_blocks))
        self.inode(meta[".vh.sf"], T_META, len(self.vh_blocks) * bs, bs, ZLA_FB, ids(self.vh_blocks))

        # Directories: the root in an FB, the others in sub-blocks.
        for fd, entries in self.dir_entries.items():
            raw = b"".join(struct.pack("<III", kind, child, 0) + name.encode().ljust(128, b"\0")
                           for kind, child, name in entries)
            if fd == root:
                self.file_blocks_write(self.root_blocks, 0, raw)
                self.inode(fd, T_DIR, len(raw), bs, ZLA_FB, ids(self.root_blocks), mode=0o755)
            else:
                entry, item, bid = self.sb_dirs[fd]
                assert len(raw) <= self.sb_size
                self.sbc_payload[(entry, item)] = raw
                self.inode(fd, T_DIR, len(raw), self.sb_size, ZLA_SB, [bid], mode=0o755)

        self.write_resource(self.fdc, self.fdc_blocks, {})
        self.write_resource(self.pbc, self.pbc_blocks, self.pbc_payload)
        self.write_resource(self.sbc, self.sbc_blocks, self.sbc_payload)
        for fd, raw in self.inodes.items():
            entry, item = (fd >> 6) & 0xFFFF, fd >> 22
            self.file_blocks_write(self.fdc_blocks, self.fdc.item_offset(entry, item), raw)
        self.fbb.allocated = set(self.fb_used)
        self.write_resource(self.fbb, self.fbb_blocks, {})
        self.write_headers()
        self.f.close()

    def write_resource(self, res, blocks, payloads):
        header = struct.pack("<IIIIIII", res.ipe, res.epa, HDR, res.data_size, res.area_size, res.total, res.areas)
        self.file_blocks_write(blocks, 0, header)
        entries = math.ceil(res.total / res.ipe)
        for e in range(entries):
            total = min(res.ipe, res.total - e * res.ipe)
            bits = bytearray((total + 7) // 8)
            free = 0
            first_free = None
            for k in range(total):
                if (e * res.ipe + k) not in res.allocated:
                    bits[k // 8] |= 1 << (k % 8)
                    free += 1
                    if first_free is None:
                        first_free = k
            off = res.entry_offset(e)
            raw = self.mdh(res.magic, self.logical_of(blocks, off)) + struct.pack(
                "<IIII", e, total, free, first_free if first_free is not None else total) + bytes(bits)
            self.file_blocks_write(blocks, off, raw.ljust(ENTRY, b"\0"))
        for (entry, item), data in payloads.items():
            self.file_blocks_write(blocks, res.item_offset(entry, item), data)

    def write_headers(self):
        segments = math.ceil(self.lv_size / SEGMENT)
        vol = bytearray(0x400)
        struct.pack_into("<II", vol, 0, MAGIC_VOL, 3 if self.version == 3 else 5)
        vol[0x12:0x12 + 28] = b"KURA     TESTVOL         1.0"[:28].ljust(28)
        struct.pack_into("<I", vol, 0x5F, self.size // 256 & 0xFFFFFFFF)
        vol[0x82:0x92] = uuid.UUID(int=self.rng.getrandbits(128)).bytes
        struct.pack_into("<QQ", vol, 0x200, self.lv_size, segments + 1)
        vol[0x214:0x214 + 35] = str(uuid.UUID(bytes=self.lvm_uuid)).encode()[:35]
        vol[0x254:0x264] = self.lvm_uuid
        struct.pack_into("<III", vol, 0x274, segments, 0, 0)
        struct.pack_into("<I", vol, 0x280, segments - 1)
        struct.pack_into("<I", vol, 0x290, 1)
        self.f.seek(BASE)
        self.f.write(vol)
        fs = bytearray(0x200)
        struct.pack_into("<IIB", fs, 0, MAGIC_FS, 14 if self.version == 5 else 4, 54 if self.version == 5 else 31)
        fs[0x09:0x19] = self.fs_uuid
        struct.pack_into("<I", fs, 0x19, 2)
        fs[0x1D:0x1D + 128] = b"kura-datastore".ljust(128, b"\0")
        struct.pack_into("<IQI", fs, 0x9D, 512, self.bs, 1700000000)
        fs[0xB1:0xC1] = self.lvm_uuid
        struct.pack_into("<III", fs, 0xD1, HDR, 1, self.sb_size)
        self.write_logical(FSINFO, bytes(fs))
        # One inactive heartbeat slot, as a freshly made volume has.
        self.write_logical(HB_BASE, struct.pack("<IQ", 0xABCDEF01, HB_BASE))

    def manifest(self):
        return {
            "version": self.version, "block_size": self.bs, "items": self.items, "size": self.size,
            "fdc_base": self.fdc_base,
            "files": dict(self.files),
            "allocated_fbs": sorted(self.fb_used),
        }


def make_volume(path, version=5, block_mib=1, size_mib=160, data_mib=0, seed=1):
    v = Volume(path, version, block_mib, size_mib, seed)
    v.build(data_mib * MiB)
    return v.manifest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--version", type=int, choices=(3, 5), default=5)
    ap.add_argument("--block-mib", type=int, choices=(1, 2, 4, 8), default=1)
    ap.add_argument("--size-mib", type=int, default=160)
    ap.add_argument("--data-mib", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--manifest")
    args = ap.parse_args()
    m = make_volume(args.out, args.version, args.block_mib, args.size_mib, args.data_mib, args.seed)
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump(m, f, indent=1)


if __name__ == "__main__":
    main()
