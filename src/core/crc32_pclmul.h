// CRC-32 (reflected 0xEDB88320) by folding 16-byte lanes with carry-less multiplication,
// the method of Intel's "Fast CRC Computation Using PCLMULQDQ". Kept apart from the
// portable table code because it needs CPU-specific instructions and a runtime check.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kura {

// Shorter inputs are not worth the set-up; the table code handles them.
inline constexpr std::size_t crc32_pclmul_min_length = 256;

bool crc32_pclmul_available();

// `length` must be a multiple of 16 and at least 64. Same register convention as
// crc32_update (raw register in, raw register out).
std::uint32_t crc32_pclmul(std::uint32_t state, const std::uint8_t* data, std::size_t length);

}  // namespace kura
