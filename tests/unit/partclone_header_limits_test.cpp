// Forged Partclone headers: every size and count is range-checked before it sizes a buffer,
// and the checksum fields must be a combination Partclone writes. Each refusal is
// Error(image_corrupt) naming the field and its value.
#include "core/bitmap.h"
#include "core/error.h"
#include "image/partclone_decoder.h"
#include "image/partclone_encoder.h"
#include "memory_repository.h"

#include <gtest/gtest.h>

#include <string>

namespace kura {
namespace {

PartcloneHeader sane_header() {
    PartcloneHeader h;
    h.writer_version = "0.3.23";
    h.fs_tag = "EXTFS";
    h.block_size = 4096;
    h.total_blocks = 64;
    h.used_blocks = 3;
    h.device_size = 64 * 4096;
    h.blocks_per_checksum = 2;
    return h;
}

// Feeds the encoded header (CRC correct) and whatever `tail` follows to a decoder; returns
// the message it refused with.
std::string refusal(const PartcloneHeader& h, const std::string& tail = "") {
    auto bytes = encode_partclone_v2(h);
    PartcloneDecoder dec("sda1", [](BlockGroup&&) {});
    try {
        dec.feed(bytes.data(), bytes.size());
        dec.feed(reinterpret_cast<const std::uint8_t*>(tail.data()), tail.size());
        dec.finish();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "the header was accepted";
    return {};
}

void expect_refused(const PartcloneHeader& h, const std::string& says) {
    std::string what = refusal(h);
    EXPECT_NE(what.find("sda1: bad Partclone header: "), std::string::npos) << what;
    EXPECT_NE(what.find(says), std::string::npos) << what;
}

TEST(PartcloneHeaderLimits, TotalNear2To64BlocksOfOneByteIsRefused) {
    PartcloneHeader h = sane_header();
    h.block_size = 1;
    h.total_blocks = UINT64_MAX - 3;
    h.used_blocks = 1;
    h.device_size = UINT64_MAX;
    expect_refused(h, "field block_size is 1");
    h.block_size = 512;
    expect_refused(h, "field total_blocks is 18446744073709551612");
}

TEST(PartcloneHeaderLimits, BlocksMustFitTheDeviceWithoutWrapping) {
    PartcloneHeader h = sane_header();
    h.block_size = 1u << 26;
    h.total_blocks = 1ull << 40;  // 2^66 bytes: the product wraps
    h.used_blocks = 1;
    h.device_size = 4096;
    expect_refused(h, "field total_blocks 1099511627776 of 67108864 bytes does not fit in field device_size 4096");
}

TEST(PartcloneHeaderLimits, BlockSizeAndUsedCount) {
    PartcloneHeader h = sane_header();
    h.block_size = 3000;
    expect_refused(h, "field block_size is 3000, not a power of two");
    h = sane_header();
    h.block_size = 128u << 20;
    h.device_size = h.total_blocks * h.block_size;
    expect_refused(h, "field block_size is 134217728");
    h = sane_header();
    h.used_blocks = 65;
    expect_refused(h, "field used_blocks is 65, more than total_blocks 64");
}

TEST(PartcloneHeaderLimits, OnlyChecksumCombinationsPartcloneWrites) {
    PartcloneHeader h = sane_header();
    h.checksum_mode = partclone_checksum_none;
    h.checksum_size = 0;  // but blocks_per_checksum still 2: a CRC stream relabelled
    expect_refused(h, "field blocks_per_checksum is 2 with checksum_mode 0 (none)");
    h.checksum_size = 4;
    expect_refused(h, "field checksum_size is 4 with checksum_mode 0");
    h = sane_header();
    h.checksum_size = 0;
    expect_refused(h, "field checksum_size is 0 with checksum_mode 32 (CRC32)");
    h = sane_header();
    h.blocks_per_checksum = 0;
    expect_refused(h, "field blocks_per_checksum is 0 with checksum_mode 32");
    h = sane_header();
    h.checksum_mode = 0x30;  // Partclone's XXH64
    h.checksum_size = 8;
    expect_refused(h, "field checksum_mode 48 is not supported");
}

TEST(PartcloneHeaderLimits, AStreamWithChecksumsRelabelledNoneIsCaughtAtItsEnd) {
    // The header says "no checksums" in every field, but the stream carries its CRCs: the
    // data ends 4 bytes early for each group, and the bytes past the last block give it away.
    PartcloneHeader h = sane_header();
    Bitmap used(h.total_blocks);
    used.set_range(0, 3);
    PartcloneEncoder enc(h, used);
    test::StringSink out;
    enc.write_preamble(out);
    std::string block(4096, 'x');
    for (int i = 0; i < 3; ++i) enc.write_blocks(reinterpret_cast<const std::uint8_t*>(block.data()), 1, out);
    enc.finish(out);
    std::string stream = out.data;
    h.checksum_mode = partclone_checksum_none;
    h.checksum_size = 0;
    h.blocks_per_checksum = 0;
    auto forged = encode_partclone_v2(h);
    stream.replace(0, forged.size(), reinterpret_cast<const char*>(forged.data()), forged.size());
    PartcloneDecoder dec("sda1", [](BlockGroup&&) {});
    try {
        dec.feed(reinterpret_cast<const std::uint8_t*>(stream.data()), stream.size());
        dec.finish();
        FAIL() << "a relabelled stream was read as valid";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt);
        EXPECT_NE(std::string(e.what()).find("field checksum_mode says the stream carries no checksums"),
                  std::string::npos)
            << e.what();
    }
}

TEST(PartcloneHeaderLimits, BitmapOfAWrappingSizeIsNeverRead) {
    std::uint8_t byte = 0xff;
    // (bits + 7) / 8 wraps to 0 for this count; the old check let a 0-byte bitmap through
    // and then read the byte before it.
    EXPECT_THROW(Bitmap::from_bytes(&byte, 0, UINT64_MAX), Error);
}

}  // namespace
}  // namespace kura
