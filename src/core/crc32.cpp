#include "core/crc32.h"

#include "core/crc32_pclmul.h"

#include <array>
#include <cstring>

namespace kura {
namespace {

// Slicing-by-16 tables: table[k][b] is the CRC contribution of byte b seen k bytes earlier.
using Tables = std::array<std::array<std::uint32_t, 256>, 16>;

constexpr Tables make_tables() {
    Tables t{};
    for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t c = b;
        for (int i = 0; i < 8; ++i) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        t[0][b] = c;
    }
    for (std::size_t k = 1; k < 16; ++k)
        for (std::uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
    return t;
}

constexpr Tables kTables = make_tables();

std::uint32_t load_le32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;  // kura targets little-endian hosts, as Partclone's bitmap layout does
}

std::uint32_t crc32_slice16(std::uint32_t crc, const std::uint8_t* p, std::size_t n) {
    while (n >= 16) {
        std::uint32_t a = load_le32(p) ^ crc;
        std::uint32_t b = load_le32(p + 4), c = load_le32(p + 8), d = load_le32(p + 12);
        crc = kTables[15][a & 0xFF] ^ kTables[14][(a >> 8) & 0xFF] ^ kTables[13][(a >> 16) & 0xFF] ^
              kTables[12][a >> 24] ^ kTables[11][b & 0xFF] ^ kTables[10][(b >> 8) & 0xFF] ^
              kTables[9][(b >> 16) & 0xFF] ^ kTables[8][b >> 24] ^ kTables[7][c & 0xFF] ^
              kTables[6][(c >> 8) & 0xFF] ^ kTables[5][(c >> 16) & 0xFF] ^ kTables[4][c >> 24] ^
              kTables[3][d & 0xFF] ^ kTables[2][(d >> 8) & 0xFF] ^ kTables[1][(d >> 16) & 0xFF] ^
              kTables[0][d >> 24];
        p += 16;
        n -= 16;
    }
    while (n--) crc = (crc >> 8) ^ kTables[0][(crc ^ *p++) & 0xFF];
    return crc;
}

}  // namespace

std::uint32_t crc32_update(std::uint32_t state, const void* data, std::size_t length) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    if (length >= crc32_pclmul_min_length && crc32_pclmul_available()) {
        std::size_t done = length & ~static_cast<std::size_t>(15);
        state = crc32_pclmul(state, p, done);
        p += done;
        length -= done;
    }
    return crc32_slice16(state, p, length);
}

std::uint32_t crc32_update_v1_block(std::uint32_t state, std::uint8_t first_byte,
                                    std::uint32_t block_size) {
    for (std::uint32_t i = 0; i < block_size; ++i)
        state = (state >> 8) ^ kTables[0][(state ^ first_byte) & 0xFF];
    return state;
}

}  // namespace kura
