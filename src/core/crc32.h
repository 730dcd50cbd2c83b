// The CRC-32 every Partclone checksum uses: reflected polynomial 0xEDB88320, register
// started at 0xFFFFFFFF and stored WITHOUT the final inversion zlib applies. So for a fresh
// start, partclone_crc(data) == ~zlib_crc32(data). See docs/image-format.md.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kura {

inline constexpr std::uint32_t crc32_partclone_seed = 0xFFFFFFFFu;

// Continues the raw CRC register `state` over `data`. Uses carry-less multiplication
// (PCLMULQDQ) when the CPU has it, table slicing otherwise; both give identical results.
std::uint32_t crc32_update(std::uint32_t state, const void* data, std::size_t length);

// Partclone v1 ("CRC32_0001") checksum of one block: its loop never advanced the data
// pointer, so the block's FIRST byte is fed `block_size` times. Old images need exactly that.
std::uint32_t crc32_update_v1_block(std::uint32_t state, std::uint8_t first_byte,
                                    std::uint32_t block_size);

}  // namespace kura
