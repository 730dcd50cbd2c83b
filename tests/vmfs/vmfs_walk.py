# SPDX-License-Identifier: GPL-3.0-or-later
"""An independent look at a VMFS3/5 volume for the tests: walks every inode from the root
directory and collects the file blocks they reference (directly, through pointer blocks,
and the blocks of the metadata files that hold sub-blocks, pointer blocks and inodes).
It does not use kura's reader nor the FBB: its answer is what the FBB must agree with."""
import struct

MiB = 1 << 20
DATA = 0x1100000


def _u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def _u64(b, o):
    return struct.unpack_from("<Q", b, o)[0]


class Walker:
    def __init__(self, path):
        self.f = open(path, "rb")
        fs = self.logical(0x200000, 0x200)
        self.bs = _u64(fs, 0xA1)
        self.fdc_base = max(1, 0x400000 // self.bs)
        self.fdc_blocks = [self.fdc_base]
        self.fdc = self.resource_header(self.fdc_blocks)
        self.referenced = set(range(self.fdc_base + 1))  # heartbeat blocks and the FDC bootstrap
        root = self.inode(4)
        entries = self.directory(root)
        names = {name: fd for _, fd, name in entries}
        self.fdc_blocks = self.fb_items(self.inode(names[".fdc.sf"]))
        self.sbc_inode = self.inode(names[".sbc.sf"])
        self.pbc_inode = self.inode(names[".pbc.sf"])
        self.sbc = self.resource_header(self.fb_items(self.sbc_inode))
        self.pbc = self.resource_header(self.fb_items(self.pbc_inode))
        self.walk(root, set())

    def logical(self, offset, length):
        self.f.seek(DATA + offset)
        return self.f.read(length)

    def file_read(self, blocks, offset, length):
        out = b""
        while length:
            index, within = divmod(offset, self.bs)
            n = min(length, self.bs - within)
            out += self.logical(blocks[index] * self.bs + within, n)
            offset, length = offset + n, length - n
        return out

    def resource_header(self, blocks):
        h = struct.unpack_from("<7I", self.file_read(blocks, 0, 28))
        return dict(zip(("ipe", "epa", "hdr", "data", "area", "total", "areas"), h))

    def item(self, res, blocks, entry, item):
        ipa = res["ipe"] * res["epa"]
        addr = entry * res["ipe"] + item
        off = res["hdr"] + (addr // ipa) * res["area"] + res["epa"] * 0x400 + (addr % ipa) * res["data"]
        return self.file_read(blocks, off, res["data"])

    def inode(self, fd):
        raw = self.item(self.fdc, self.fdc_blocks, (fd >> 6) & 0xFFFF, fd >> 22)
        assert _u32(raw, 0) == 0x10C00001, "not an inode: %#x" % fd
        return {"id": _u32(raw, 0x200), "type": _u32(raw, 0x20C), "size": _u64(raw, 0x214),
                "zla": _u32(raw, 0x244), "blocks": struct.unpack_from("<256I", raw, 0x400)}

    @staticmethod
    def fb_items(inode):
        return [b >> 6 for b in inode["blocks"] if b & 7 == 1]

    def sb_data(self, bid):
        entry, item = (bid >> 6) & 0x3FFFFF, (bid >> 28) | (((bid >> 3) & 3) << 4)
        return self.item(self.sbc, self.fb_items(self.sbc_inode), entry, item)

    def directory(self, inode):
        if inode["zla"] == 1:
            raw = self.file_read(self.fb_items(inode), 0, inode["size"])
        else:
            raw = self.sb_data(inode["blocks"][0])[:inode["size"]]
        return [(_u32(raw, o), _u32(raw, o + 4), raw[o + 12:o + 140].split(b"\0")[0].decode())
                for o in range(0, len(raw) - 0x8B, 0x8C)]

    def walk(self, inode, seen):
        if inode["id"] in seen:
            return
        seen.add(inode["id"])
        zla = inode["zla"]
        if zla == 1:
            self.referenced.update(self.fb_items(inode))
        elif zla == 3:
            for pb in inode["blocks"]:
                if pb & 7 == 3:
                    payload = self.item(self.pbc, self.fb_items(self.pbc_inode), (pb >> 6) & 0x3FFFFF, pb >> 28)
                    self.referenced.update(b >> 6 for b in struct.unpack_from("<1024I", payload) if b & 7 == 1)
        if inode["type"] == 2:
            for _, fd, name in self.directory(inode):
                if name not in (".", ".."):
                    self.walk(self.inode(fd), seen)


def referenced_units(path, device_size):
    """1 MiB units a used-block image must hold: the first 17 MiB and every referenced block."""
    w = Walker(path)
    units = set(range(DATA // MiB))
    for item in w.referenced:
        first = (DATA + item * w.bs) // MiB
        units.update(u for u in range(first, first + w.bs // MiB) if u < device_size // MiB)
    return sorted(units)
