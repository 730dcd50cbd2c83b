# SPDX-License-Identifier: GPL-3.0-or-later
"""Compatibility with partclone, the reference implementation of the image format.

(a) partclone reads what kura writes; (b) kura reads what partclone writes, in the
ways Clonezilla stores it (uncompressed, gzip, zstd, zstd split); (c) kura reads the
legacy v1 format, generated here and checked against partclone first.
"""

import os
import struct
import sys
import zlib

sys.dont_write_bytecode = True  # keep the source tree clean under ctest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kuratest as kt  # noqa: E402

MiB = kt.MiB
PART = "sda1"  # Clonezilla-style part name for the hand-made image directories


# ------------------------------------------------------------------ legacy v1 writer

V1_HEADER_SIZE = 4160
V1_BITMAP_MAGIC = b"BiTmAgIc"


def crc32_0001(state, block):
    """partclone's v1 block checksum, bug included.

    Its loop never advanced the byte pointer, so every block contributes its first byte
    block_size times; the state runs across the whole image and is never reset. The raw
    state is the inverse of zlib's CRC-32 value.
    """
    return ~zlib.crc32(block[:1] * len(block), ~state & 0xFFFFFFFF) & 0xFFFFFFFF


def write_v1_image(fs_image, used_blocks, block_size, out):
    """Write a partclone 0001 image of fs_image holding used_blocks."""
    total = os.path.getsize(fs_image) // block_size
    header = (b"partclone-image"               # 15 bytes, no NUL
              + b"EXTFS".ljust(15, b"\0")      # fs tag
              + b"0001" + b"\0\0"              # version, padding
              + struct.pack("<iQQQ", block_size, total * block_size, total,
                            len(used_blocks))
              + bytes(4096))                    # unused option buffer
    assert len(header) == V1_HEADER_SIZE
    bitmap = bytearray(total)                   # one byte per block
    for b in used_blocks:
        bitmap[b] = 1
    state = 0xFFFFFFFF
    with open(fs_image, "rb") as src, open(out, "wb") as o:
        o.write(header)
        o.write(bitmap)
        o.write(V1_BITMAP_MAGIC)
        for b in used_blocks:
            src.seek(b * block_size)
            block = src.read(block_size)
            state = crc32_0001(state, block)
            o.write(block)
            o.write(struct.pack("<I", state))
    return out


def v1_crc_offset(total_blocks, block_size, index):
    """Offset of the CRC stored after the index-th used block of a v1 image."""
    return (V1_HEADER_SIZE + total_blocks + len(V1_BITMAP_MAGIC)
            + (index + 1) * block_size + index * 4)


# ------------------------------------------------------------------ tests

class PartcloneCompat(kt.KuraTestCase):

    REQUIRED_TOOLS = kt.KuraTestCase.REQUIRED_TOOLS + (
        "partclone.ext4", "partclone.restore", "partclone.chkimg", "zstd", "gzip", "split")

    SIZE = 96 * MiB

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tree = kt.make_tree(os.path.join(cls.ws, "tree"), seed=4242, big_mib=12,
                            small_files=200)
        cls.src = kt.make_ext(os.path.join(cls.ws, "src.img"), cls.SIZE, ["-t", "ext4"],
                              tree)
        # partclone's own uncompressed v2 image of the source, with its defaults.
        cls.pc_raw = kt.partclone_save(cls.src, os.path.join(cls.ws, "pc.raw"),
                                       os.path.join(cls.ws, "pc.log"))
        with open(cls.pc_raw, "rb") as f:
            data = f.read()
        cls.pc_header = kt.read_v2_header(data)
        cls.used_blocks = kt.v2_used_blocks(data, cls.pc_header)

    def new_image_dir(self, parts=(PART,)):
        """A bare image directory: just `parts`, as the spec allows."""
        repo = self.new_repo()
        imgdir = os.path.join(repo, "img")
        os.mkdir(imgdir)
        with open(os.path.join(imgdir, "parts"), "w") as f:
            f.write(" ".join(parts) + "\n")
        return repo, imgdir

    def kura_restores_identically(self, repo):
        self.assertKura(kt.run_kura("checkimage", "--repo", repo, "img"), 0,
                        "checkimage rejected a valid image")
        target = kt.zeroed_file(self.path("target.img"), self.SIZE)
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes",
                                    "--progress=none", "img", target), 0)
        self.assertSameBytes(self.src, target)

    # ------------------------------------------- (a) partclone reads kura images

    def partclone_reads_kura_image(self, compression, split):
        repo = self.new_repo()
        self.assertKura(kt.run_kura("saveparts", "--repo", repo, "--progress=none",
                                    "-z", compression, "--split", split, "img",
                                    self.src), 0)
        imgdir = os.path.join(repo, "img")
        pieces = [os.path.join(imgdir, f) for f in kt.data_files(imgdir, "src.img")]
        self.assertTrue(pieces, os.listdir(imgdir))
        suffix = kt.COMP_SUFFIX[compression]

        # The stream is a v2 image with CRC32 checksums, like `partclone.ext4 -c`.
        stream = self.path("stream")
        kt.run_shell("%s > %s" % (kt.stream_cmd(pieces, suffix), stream))
        with open(stream, "rb") as f:
            data = f.read()
        header = kt.read_v2_header(data)
        self.assertEqual((header["checksum_mode"], header["checksum_size"]), (0x20, 4))
        self.assertEqual(header["block_size"], self.pc_header["block_size"])
        self.assertEqual(header["totalblock"], self.pc_header["totalblock"])
        # Same used blocks as partclone's image of the same source: nothing missing,
        # nothing extra.
        used = kt.v2_used_blocks(data, header)
        self.assertEqual(header["usedblocks"], len(used))
        self.assertTrue(used == self.used_blocks, "kura and partclone disagree on %d blocks"
                        % len(set(used) ^ set(self.used_blocks)))

        target = kt.zeroed_file(self.path("target.img"), self.SIZE)
        proc = kt.partclone_restore(pieces, suffix, target, self.path("restore.log"))
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        self.assertSameBytes(self.src, target)
        proc = kt.partclone_chkimg(pieces, suffix, self.path("chkimg.log"))
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])

    def test_partclone_reads_kura_zstd_split(self):
        self.partclone_reads_kura_image("zstd", "1MB")

    def test_partclone_reads_kura_gzip(self):
        self.partclone_reads_kura_image("gzip", "0")

    def test_partclone_reads_kura_uncompressed(self):
        self.partclone_reads_kura_image("none", "4096")

    # ------------------------------------------- (b) kura reads partclone images

    def kura_reads_partclone_image(self, suffix, split=False, partclone_args=()):
        repo, imgdir = self.new_image_dir()
        raw = self.pc_raw
        if partclone_args:
            raw = kt.partclone_save(self.src, self.path("pc.raw"), self.path("pc.log"),
                                    partclone_args)
        name = os.path.join(imgdir, "%s.ext4-ptcl-img.%s" % (PART, suffix))
        if split:
            stream = kt.compress_file(raw, self.path("stream"), suffix)
            pieces = kt.split_file(stream, name, "1MB")
            self.assertGreaterEqual(len(pieces), 3, "want a real multi-piece image")
        else:
            kt.compress_file(raw, name, suffix)
        self.kura_restores_identically(repo)

    def test_kura_reads_partclone_uncompressed(self):
        self.kura_reads_partclone_image("uncomp")

    def test_kura_reads_partclone_gzip(self):
        self.kura_reads_partclone_image("gz")

    def test_kura_reads_partclone_zstd(self):
        self.kura_reads_partclone_image("zst")

    def test_kura_reads_partclone_zstd_split_clonezilla_buffer(self):
        # Clonezilla runs partclone with -z 10485760: 10 MiB per checksum group.
        self.kura_reads_partclone_image("zst", split=True,
                                        partclone_args=("-z", "10485760"))

    def test_kura_reads_partclone_without_checksums(self):
        # `-a0` images have checksum_mode 0 and no CRCs in the data area.
        self.kura_reads_partclone_image("gz", partclone_args=("-a0",))

    # ------------------------------------------- (c) legacy v1 images

    def make_v1(self, path):
        return write_v1_image(self.src, self.used_blocks, self.pc_header["block_size"],
                              path)

    def test_v1_generator_matches_partclone(self):
        # The oracle: partclone accepts the generated v1 image and restores it.
        v1 = self.make_v1(self.path("v1.img"))
        proc = kt.run(["partclone.chkimg", "-s", v1, "-L", self.path("chk.log")],
                      check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        target = kt.zeroed_file(self.path("target.img"), self.SIZE)
        proc = kt.partclone_restore([v1], "uncomp", target, self.path("restore.log"))
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        self.assertSameBytes(self.src, target)

    def test_kura_reads_v1_uncompressed(self):
        repo, imgdir = self.new_image_dir()
        self.make_v1(os.path.join(imgdir, PART + ".ext4-ptcl-img.uncomp"))
        self.kura_restores_identically(repo)

    def test_kura_reads_v1_gzip(self):
        repo, imgdir = self.new_image_dir()
        v1 = self.make_v1(self.path("v1.img"))
        kt.compress_file(v1, os.path.join(imgdir, PART + ".ext4-ptcl-img.gz"), "gz")
        self.kura_restores_identically(repo)

    def test_kura_rejects_v1_with_bad_crc(self):
        repo, imgdir = self.new_image_dir()
        v1 = self.make_v1(os.path.join(imgdir, PART + ".ext4-ptcl-img.uncomp"))
        index = len(self.used_blocks) // 2
        kt.flip_byte(v1, v1_crc_offset(self.pc_header["totalblock"],
                                       self.pc_header["block_size"], index))
        # The oracle agrees the image is now damaged.
        proc = kt.run(["partclone.chkimg", "-s", v1, "-L", self.path("chk.log")],
                      check=False)
        self.assertNotEqual(proc.returncode, 0, "partclone.chkimg accepted a bad CRC")

        result = kt.run_kura("checkimage", "--repo", repo, "img")
        self.assertKura(result, kt.EXIT_CORRUPT)
        self.assertIn(PART, result[2], "the error must name the partition")
        self.assertIn("block", result[2].lower(), "the error must name the block")
        target = kt.zeroed_file(self.path("target.img"), self.SIZE)
        self.assertKura(kt.run_kura("restoreparts", "--repo", repo, "--yes",
                                    "--progress=none", "img", target), kt.EXIT_CORRUPT)


if __name__ == "__main__":
    kt.main()
