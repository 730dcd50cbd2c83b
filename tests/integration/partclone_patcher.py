# SPDX-License-Identifier: GPL-3.0-or-later
"""Forges damage into one partition's data stream of an image directory, and only that.

A PatchedStream decompresses the partition's data files (kura's or Clonezilla's: zstd,
gzip or none, split or not) into one Partclone (or ntfsclone) stream in memory. The test
changes header fields (the header CRC is recomputed, so the header itself stays "intact"),
bitmap bytes or stored CRCs, then save() recompresses, re-splits into pieces of the sizes
the image had, and rewrites the kura-manifest's `file` lines (size and SHA-256) so the
pieces are exactly what the manifest promises: the only damage left is the forged one.
"""
import hashlib
import os
import re
import struct
import subprocess
import zlib

V2_HEADER_SIZE = 110
HEADER_CRC_OFFSET = 106

# Field name -> (offset, struct format) in a Partclone v2 header (docs/image-format.md).
V2_FIELDS = {
    "device_size": (52, "<Q"),
    "total_blocks": (60, "<Q"),
    "used_blocks_fs": (68, "<Q"),
    "used_blocks": (76, "<Q"),
    "block_size": (84, "<I"),
    "checksum_mode": (96, "<H"),
    "checksum_size": (98, "<H"),
    "blocks_per_checksum": (100, "<I"),
    "reseed": (104, "<B"),
    "bitmap_mode": (105, "<B"),
}

_COMPRESS = {"zst": ["zstd", "-q", "-3", "-c"], "gz": ["gzip", "-c"], "uncomp": ["cat"]}
_DECOMPRESS = {"zst": ["zstd", "-dc"], "gz": ["gzip", "-dc"], "uncomp": ["cat"]}


def partclone_crc(data, state=0xFFFFFFFF):
    """Partclone's CRC-32: zlib's without the final inversion, continued from state."""
    return ~zlib.crc32(data, ~state & 0xFFFFFFFF) & 0xFFFFFFFF


def _pipe(cmd, data):
    return subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True).stdout


class PatchedStream:
    def __init__(self, imgdir, part):
        self.imgdir = imgdir
        self.part = part
        pattern = re.compile(re.escape(part) + r"\.[A-Za-z0-9_+]+-(ptcl-img|img)\.([a-z]+)(\.[a-z]{2,})?$")
        matches = sorted((f, pattern.match(f)) for f in os.listdir(imgdir) if pattern.match(f))
        if not matches:
            raise ValueError("no data files of %s in %s" % (part, imgdir))
        self.names = [f for f, _ in matches]
        self.suffix = matches[0][1].group(2)
        self.split = matches[0][1].group(3) is not None
        self.piece_sizes = [os.path.getsize(os.path.join(imgdir, f)) for f in self.names]
        compressed = b""
        for name in self.names:
            with open(os.path.join(imgdir, name), "rb") as f:
                compressed += f.read()
        self.stream = bytearray(_pipe(_DECOMPRESS[self.suffix], compressed))

    # ---------------------------------------------------------------- reading

    def field(self, name):
        offset, fmt = V2_FIELDS[name]
        return struct.unpack_from(fmt, self.stream, offset)[0]

    def bitmap_bytes(self):
        return (self.field("total_blocks") + 7) // 8

    def data_start(self):
        """Offset of the first used block: after the header, the bitmap and its CRC."""
        return V2_HEADER_SIZE + self.bitmap_bytes() + 4

    def first_data_crc_offset(self):
        """Offset of the first stored data CRC (after blocks_per_checksum blocks, or after the
        last block when the partition has fewer)."""
        used = self.field("used_blocks")
        group = min(self.field("blocks_per_checksum"), used)
        return self.data_start() + group * self.field("block_size")

    # ---------------------------------------------------------------- forging

    def set_field(self, name, value):
        """Sets a header field and recomputes the header CRC, as a forger would."""
        offset, fmt = V2_FIELDS[name]
        struct.pack_into(fmt, self.stream, offset, value)
        self.reseal_header()

    def reseal_header(self):
        crc = partclone_crc(bytes(self.stream[:HEADER_CRC_OFFSET]))
        struct.pack_into("<I", self.stream, HEADER_CRC_OFFSET, crc)

    def patch(self, offset, data):
        self.stream[offset:offset + len(data)] = data

    def set_bitmap_bit(self, block, value=True):
        """Marks a block used (or free) and re-seals the bitmap's CRC."""
        at = V2_HEADER_SIZE + block // 8
        if value:
            self.stream[at] |= 1 << (block % 8)
        else:
            self.stream[at] &= ~(1 << (block % 8)) & 0xFF
        end = V2_HEADER_SIZE + self.bitmap_bytes()
        struct.pack_into("<I", self.stream, end, partclone_crc(bytes(self.stream[V2_HEADER_SIZE:end])))

    # ---------------------------------------------------------------- writing

    def save(self):
        """Recompresses, re-splits as before and makes the manifest vouch for the result."""
        compressed = _pipe(_COMPRESS[self.suffix], bytes(self.stream))
        for name in self.names:
            os.remove(os.path.join(self.imgdir, name))
        pieces = []
        offset = 0
        for i, name in enumerate(self.names):
            last = i == len(self.names) - 1
            size = len(compressed) - offset if last else min(self.piece_sizes[i], len(compressed) - offset)
            pieces.append((name, compressed[offset:offset + size]))
            offset += size
        for name, data in pieces:
            with open(os.path.join(self.imgdir, name), "wb") as f:
                f.write(data)
        self._fix_manifest(pieces)

    def _fix_manifest(self, pieces):
        path = os.path.join(self.imgdir, "kura-manifest")
        if not os.path.exists(path):
            return  # a Clonezilla image: nothing records the pieces
        digests = {name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in pieces}
        lines = []
        with open(path) as f:
            for line in f.read().splitlines():
                words = line.split(" ")
                if words[0] == "file" and len(words) >= 4 and words[2] in digests:
                    size, sha = digests[words[2]]
                    line = " ".join(words[:3] + [str(size)] + ([sha] if len(words) >= 5 else []))
                lines.append(line)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
