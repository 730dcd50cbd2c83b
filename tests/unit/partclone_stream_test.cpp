// The encoder and decoder together: what one writes the other reads back block for block,
// whatever the checksum stride and however the stream is cut into pieces; damage is named.
#include "core/crc32.h"
#include "core/error.h"
#include "image/partclone_decoder.h"
#include "image/partclone_encoder.h"
#include "memory_repository.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>

namespace kura {
namespace {

struct Volume {
    std::uint32_t block_size;
    Bitmap used;
    std::map<std::uint64_t, std::vector<std::uint8_t>> blocks;
};

Volume make_volume(std::uint64_t total, std::uint32_t bs, unsigned seed) {
    std::mt19937 rng(seed);
    Volume v{bs, Bitmap(total), {}};
    for (std::uint64_t b = 0; b < total; ++b)
        if (rng() % 3 != 0) {
            v.used.set(b);
            std::vector<std::uint8_t> data(bs);
            for (auto& x : data) x = static_cast<std::uint8_t>(rng());
            v.blocks[b] = data;
        }
    return v;
}

std::string encode(const Volume& v, std::uint32_t bpc, bool checksums = true) {
    PartcloneHeader h;
    h.writer_version = "kura-test";
    h.fs_tag = "EXTFS";
    h.block_size = v.block_size;
    h.device_size = v.used.size() * v.block_size;
    h.checksum_mode = checksums ? partclone_checksum_crc32 : partclone_checksum_none;
    h.checksum_size = checksums ? 4 : 0;
    h.blocks_per_checksum = checksums ? bpc : 0;
    PartcloneEncoder enc(h, v.used);
    test::StringSink out;
    enc.write_preamble(out);
    for (const auto& [block, data] : v.blocks) enc.write_blocks(data.data(), 1, out);
    enc.finish(out);
    return out.data;
}

// Decodes `stream` fed in pieces of `piece` bytes; returns block -> data.
std::map<std::uint64_t, std::vector<std::uint8_t>> decode(const std::string& stream, std::size_t piece,
                                                          std::uint32_t bs) {
    std::map<std::uint64_t, std::vector<std::uint8_t>> out;
    PartcloneDecoder dec("sda1", [&](BlockGroup&& g) {
        const std::uint8_t* p = g.data.data();
        for (const auto& run : g.runs)
            for (std::uint64_t i = 0; i < run.count; ++i, p += bs) out[run.first_block + i].assign(p, p + bs);
    });
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(stream.data());
    for (std::size_t off = 0; off < stream.size(); off += piece)
        dec.feed(bytes + off, std::min(piece, stream.size() - off));
    dec.finish();
    return out;
}

TEST(PartcloneStream, LayoutHasTheExactSizePartcloneExpects) {
    Volume v = make_volume(1000, 1024, 1);
    std::uint32_t bpc = 64;
    std::string s = encode(v, bpc);
    std::uint64_t used = v.used.count();
    std::uint64_t checksums = (used + bpc - 1) / bpc;
    EXPECT_EQ(s.size(), 110 + (1000 + 7) / 8 + 4 + used * 1024 + checksums * 4);
}

TEST(PartcloneStream, AResumedEncoderContinuesTheSameStreamFromAnyBlock) {
    Volume v = make_volume(700, 512, 11);
    for (bool checksums : {true, false})
        for (std::uint64_t stop : std::vector<std::uint64_t>{0, 1, 63, 64, 65, 200, v.used.count()}) {
            std::string whole = encode(v, 64, checksums);
            PartcloneHeader h;
            h.writer_version = "kura-test";
            h.fs_tag = "EXTFS";
            h.block_size = v.block_size;
            h.device_size = v.used.size() * v.block_size;
            h.checksum_mode = checksums ? partclone_checksum_crc32 : partclone_checksum_none;
            h.checksum_size = checksums ? 4 : 0;
            h.blocks_per_checksum = checksums ? 64 : 0;
            test::StringSink out;
            EncoderPosition at;
            {
                PartcloneEncoder first(h, v.used);
                first.write_preamble(out);
                auto it = v.blocks.begin();
                for (std::uint64_t i = 0; i < stop; ++i, ++it) first.write_blocks(it->second.data(), 1, out);
                at = first.position();
            }
            EXPECT_EQ(at.blocks_written, stop);
            PartcloneEncoder second(h, v.used);
            second.resume(at);
            auto it = std::next(v.blocks.begin(), static_cast<std::ptrdiff_t>(stop));
            for (; it != v.blocks.end(); ++it) second.write_blocks(it->second.data(), 1, out);
            second.finish(out);
            EXPECT_EQ(out.data, whole) << "stopped after " << stop << (checksums ? " with" : " without") << " CRCs";
        }
    PartcloneHeader h;
    h.block_size = 512;
    h.checksum_mode = partclone_checksum_crc32;
    h.checksum_size = 4;
    h.blocks_per_checksum = 64;
    PartcloneEncoder enc(h, v.used);
    EXPECT_THROW(enc.resume({v.used.count() + 1, 0, 0}), Error);
    EXPECT_THROW(enc.resume({100, 64, 0}), Error);
}

TEST(PartcloneStream, RoundTripsForManyStridesAndPieceSizes) {
    Volume v = make_volume(3000, 512, 2);
    for (std::uint32_t bpc : {1u, 3u, 64u, 1024u, 20480u}) {
        std::string s = encode(v, bpc);
        for (std::size_t piece : {1u, 7u, 512u, 4096u, 1u << 20}) {
            if (piece == 1 && bpc != 64) continue;  // byte-at-a-time once is enough
            EXPECT_EQ(decode(s, piece, 512), v.blocks) << "bpc " << bpc << " piece " << piece;
        }
    }
}

TEST(PartcloneStream, RoundTripsWithoutChecksums) {
    Volume v = make_volume(500, 4096, 3);
    EXPECT_EQ(decode(encode(v, 0, false), 10000, 4096), v.blocks);
}

TEST(PartcloneStream, AFlippedDataByteNamesThePartitionAndTheBlocks) {
    Volume v = make_volume(2000, 1024, 4);
    std::string s = encode(v, 100);
    std::size_t data_start = 110 + (2000 + 7) / 8 + 4;
    s[data_start + 150 * 1024 + 7] ^= 0x40;  // inside the 151st used block: group 2 (blocks 100..199)
    try {
        decode(s, 65536, 1024);
        FAIL() << "damage not detected";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt);
        std::string msg = e.what();
        EXPECT_NE(msg.find("sda1"), std::string::npos) << msg;
        EXPECT_NE(msg.find("block"), std::string::npos) << msg;
    }
}

TEST(PartcloneStream, DamagedGroupIsNeverHandedOut) {
    Volume v = make_volume(4000, 4096, 5);
    std::string s = encode(v, 2560);
    std::size_t data_start = 110 + (4000 + 7) / 8 + 4;
    s[data_start + 10] ^= 1;  // first group
    std::uint64_t handed_out = 0;
    PartcloneDecoder dec("sda1", [&](BlockGroup&& g) { handed_out += g.data.size(); });
    EXPECT_THROW(dec.feed(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), Error);
    EXPECT_EQ(handed_out, 0u);
}

TEST(PartcloneStream, TruncationAndBitmapDamageAreReported) {
    Volume v = make_volume(800, 1024, 6);
    std::string s = encode(v, 64);
    PartcloneDecoder short_dec("sdb2", [](BlockGroup&&) {});
    short_dec.feed(reinterpret_cast<const std::uint8_t*>(s.data()), s.size() - 5000);
    try {
        short_dec.finish();
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("ends early"), std::string::npos) << e.what();
    }
    std::string bad_bitmap = s;
    bad_bitmap[110 + 3] ^= 0x10;
    PartcloneDecoder dec("sdb2", [](BlockGroup&&) {});
    EXPECT_THROW(dec.feed(reinterpret_cast<const std::uint8_t*>(bad_bitmap.data()), bad_bitmap.size()), Error);
}

TEST(PartcloneStream, ReadsLegacyV1Streams) {
    // v1: 4160-byte header, one byte per block, "BiTmAgIc", each block followed by the
    // running "first byte repeated" checksum that old Partclone wrote.
    Volume v = make_volume(300, 512, 7);
    std::string s(4160, '\0');
    std::memcpy(s.data(), "partclone-image", 15);
    std::memcpy(s.data() + 15, "EXTFS", 5);
    std::memcpy(s.data() + 30, "0001", 4);
    std::int32_t bs = 512;
    std::uint64_t device = 300 * 512, total = 300, used = v.used.count();
    std::memcpy(s.data() + 36, &bs, 4);
    std::memcpy(s.data() + 40, &device, 8);
    std::memcpy(s.data() + 48, &total, 8);
    std::memcpy(s.data() + 56, &used, 8);
    for (std::uint64_t b = 0; b < total; ++b) s.push_back(v.used.test(b) ? 1 : 0);
    s += "BiTmAgIc";
    std::uint32_t crc = crc32_partclone_seed;
    for (const auto& [block, data] : v.blocks) {
        s.append(reinterpret_cast<const char*>(data.data()), data.size());
        crc = crc32_update_v1_block(crc, data[0], 512);
        s.append(reinterpret_cast<const char*>(&crc), 4);
    }
    EXPECT_EQ(decode(s, 3000, 512), v.blocks);
    s[s.size() - 2] ^= 1;
    EXPECT_THROW(decode(s, 3000, 512), Error);
}

}  // namespace
}  // namespace kura
