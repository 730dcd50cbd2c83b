// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, started at and finished with
// 0xFFFFFFFF): the checksum XFS v5 keeps in its superblock, AG headers and btree blocks.
// Not Partclone's CRC (core/crc32.h): a different polynomial and a final inversion.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kura {

std::uint32_t crc32c(const void* data, std::size_t length);

}  // namespace kura
