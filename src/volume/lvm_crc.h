// lvm2's checksum (calc_crc in lib/misc/crc.c): the reflected CRC-32 table with the register
// seeded with 0xf597a6cf and no final inversion. It guards the label, the metadata-area
// header and the metadata text alike.
#pragma once

#include "core/crc32.h"

#include <cstddef>
#include <cstdint>

namespace kura {

inline constexpr std::uint32_t lvm_crc_seed = 0xf597a6cfu;

inline std::uint32_t lvm_crc(const void* data, std::size_t length) {
    return crc32_update(lvm_crc_seed, data, length);
}

}  // namespace kura
