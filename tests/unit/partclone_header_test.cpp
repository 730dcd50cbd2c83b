#include "image/partclone_header.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <cstring>

namespace kura {
namespace {

// The header of a real image written by partclone.ext4 0.3.23 (64 MiB ext4, 1 KiB blocks),
// field by field as docs/image-format.md ("The Partclone v2 stream") lays it out and
// Partclone's own partclone.h declares it; its stored CRC is 0xE6F96DC3.
PartcloneHeader real_partclone_header() {
    PartcloneHeader h;
    h.writer_version = "0.3.23";
    h.fs_tag = "EXTFS";
    h.device_size = 0x4000000;
    h.total_blocks = 0x10000;
    h.used_blocks = 0x311d;
    h.block_size = 0x400;
    h.blocks_per_checksum = 0x400;
    return h;
}

TEST(PartcloneHeader, EncodesByteForByteLikePartclone) {
    auto b = encode_partclone_v2(real_partclone_header());
    EXPECT_EQ(std::memcmp(b.data(), "partclone-image\0", 16), 0);
    EXPECT_EQ(std::memcmp(b.data() + 30, "0002", 4), 0);
    EXPECT_EQ(b[34], 0xDE);
    EXPECT_EQ(b[35], 0xC0);
    EXPECT_EQ(b[88], 18);   // feature size
    EXPECT_EQ(b[96], 0x20); // CRC32
    EXPECT_EQ(b[104], 1);   // reseed
    EXPECT_EQ(b[105], 1);   // bit bitmap
    const std::uint8_t expected_crc[4] = {0xc3, 0x6d, 0xf9, 0xe6};
    EXPECT_EQ(std::memcmp(b.data() + 106, expected_crc, 4), 0);
}

TEST(PartcloneHeader, DecodesWhatItEncodes) {
    auto b = encode_partclone_v2(real_partclone_header());
    PartcloneHeader h = decode_partclone_v2(b.data());
    EXPECT_EQ(h.format, 2);
    EXPECT_EQ(h.writer_version, "0.3.23");
    EXPECT_EQ(h.fs_tag, "EXTFS");
    EXPECT_EQ(h.device_size, 0x4000000u);
    EXPECT_EQ(h.total_blocks, 0x10000u);
    EXPECT_EQ(h.used_blocks, 0x311du);
    EXPECT_EQ(h.block_size, 1024u);
    EXPECT_EQ(h.blocks_per_checksum, 1024u);
    EXPECT_TRUE(h.reseed);
}

TEST(PartcloneHeader, RejectsDamage) {
    auto good = encode_partclone_v2(real_partclone_header());
    auto flipped = good;
    flipped[60] ^= 1;  // total blocks, without fixing the CRC
    EXPECT_THROW(decode_partclone_v2(flipped.data()), Error);
    auto magic = good;
    magic[0] = 'P';
    EXPECT_THROW(decode_partclone_v2(magic.data()), Error);
    EXPECT_EQ(partclone_format_of(magic.data(), magic.size()), 0);
}

TEST(PartcloneHeader, RejectsImpossibleGeometryEvenWithAValidCrc) {
    PartcloneHeader h = real_partclone_header();
    h.used_blocks = h.total_blocks + 1;
    auto b = encode_partclone_v2(h);
    EXPECT_THROW(decode_partclone_v2(b.data()), Error);
    h = real_partclone_header();
    h.device_size = h.total_blocks * h.block_size - 1;
    b = encode_partclone_v2(h);
    EXPECT_THROW(decode_partclone_v2(b.data()), Error);
    h = real_partclone_header();
    h.checksum_size = 8;
    b = encode_partclone_v2(h);
    EXPECT_THROW(decode_partclone_v2(b.data()), Error);
}

TEST(PartcloneHeader, ReadsLegacyV1Header) {
    std::uint8_t b[partclone_v1_header_size] = {};
    std::memcpy(b, "partclone-image", 15);
    std::memcpy(b + 15, "EXTFS", 5);
    std::memcpy(b + 30, "0001", 4);
    std::int32_t bs = 4096;
    std::uint64_t device = 1 << 24, total = 4096, used = 100;
    std::memcpy(b + 36, &bs, 4);
    std::memcpy(b + 40, &device, 8);
    std::memcpy(b + 48, &total, 8);
    std::memcpy(b + 56, &used, 8);
    EXPECT_EQ(partclone_format_of(b, sizeof b), 1);
    PartcloneHeader h = decode_partclone_v1(b);
    EXPECT_EQ(h.format, 1);
    EXPECT_EQ(h.fs_tag, "EXTFS");
    EXPECT_EQ(h.block_size, 4096u);
    EXPECT_EQ(h.total_blocks, 4096u);
    EXPECT_EQ(h.blocks_per_checksum, 1u);
    EXPECT_FALSE(h.reseed);
}

TEST(PartcloneHeader, ClonezillaChecksumStride) {
    EXPECT_EQ(clonezilla_blocks_per_checksum(4096), 2560u);
    EXPECT_EQ(clonezilla_blocks_per_checksum(1024), 10240u);
    EXPECT_EQ(clonezilla_blocks_per_checksum(512), 20480u);
}

}  // namespace
}  // namespace kura
