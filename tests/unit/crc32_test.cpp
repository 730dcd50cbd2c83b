#include "core/crc32.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <vector>

namespace kura {
namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng());
    return v;
}

// Partclone's register is zlib's CRC-32 without the final inversion.
std::uint32_t reference(std::uint32_t state, const std::uint8_t* p, std::size_t n) {
    return ~static_cast<std::uint32_t>(crc32(~state, p, static_cast<uInt>(n)));
}

TEST(Crc32, MatchesZlibRelationForEveryLengthAndAlignment) {
    auto data = random_bytes(70000, 1);
    for (std::size_t offset : {0u, 1u, 3u, 8u, 15u})
        for (std::size_t len : {0u, 1u, 15u, 16u, 17u, 63u, 64u, 65u, 255u, 256u, 257u, 1000u, 4096u, 65536u}) {
            ASSERT_EQ(crc32_update(crc32_partclone_seed, data.data() + offset, len),
                      reference(crc32_partclone_seed, data.data() + offset, len))
                << "offset " << offset << " length " << len;
        }
}

TEST(Crc32, ContinuesFromAnyState) {
    auto data = random_bytes(10000, 2);
    std::uint32_t whole = crc32_update(crc32_partclone_seed, data.data(), data.size());
    std::uint32_t split = crc32_update(crc32_partclone_seed, data.data(), 3333);
    split = crc32_update(split, data.data() + 3333, data.size() - 3333);
    EXPECT_EQ(whole, split);
    EXPECT_EQ(crc32_update(0x12345678u, data.data(), 5000), reference(0x12345678u, data.data(), 5000));
}

TEST(Crc32, KnownValueHasNoFinalInversion) {
    const char text[] = "123456789";
    // The standard CRC-32 check value is 0xCBF43926; Partclone stores its complement.
    EXPECT_EQ(crc32_update(crc32_partclone_seed, text, 9), ~0xCBF43926u);
}

TEST(Crc32, V1BlockChecksumFeedsTheFirstByteBlockSizeTimes) {
    std::vector<std::uint8_t> repeated(4096, 0xA7);
    EXPECT_EQ(crc32_update_v1_block(crc32_partclone_seed, 0xA7, 4096),
              reference(crc32_partclone_seed, repeated.data(), repeated.size()));
}

}  // namespace
}  // namespace kura
