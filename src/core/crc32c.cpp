#include "core/crc32c.h"

#include <array>

namespace kura {
namespace {

// Metadata blocks are checked once each while a filesystem is read, so one table
// (byte at a time) is fast enough; no slicing or hardware path is worth its code here.
constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? 0x82F63B78u : 0u);
        t[i] = c;
    }
    return t;
}

constexpr auto kTable = make_table();

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t length) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::uint32_t crc = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < length; ++i) crc = (crc >> 8) ^ kTable[(crc ^ p[i]) & 0xFF];
    return crc ^ 0xFFFFFFFFu;
}

}  // namespace kura
