// The header of a Partclone image stream: v2 ("0002", 110 bytes, written by kura and by
// every Partclone since 2013) and legacy v1 ("0001", 4160 bytes, read only).
// Field-by-field description: docs/image-format.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace kura {

inline constexpr std::size_t partclone_v2_header_size = 110;
inline constexpr std::size_t partclone_v1_header_size = 4160;
// Enough bytes to tell the versions apart (the version string sits at offset 30).
inline constexpr std::size_t partclone_version_probe_size = 34;
inline constexpr std::uint16_t partclone_checksum_none = 0;
inline constexpr std::uint16_t partclone_checksum_crc32 = 0x20;

struct PartcloneHeader {
    int format = 2;                   // 1 or 2
    std::string writer_version;       // e.g. "0.3.23" or "kura-0.1.0"; informational
    std::string fs_tag;               // "EXTFS", "FAT32", "NTFS", ...
    std::uint64_t device_size = 0;    // bytes of the source partition (>= blocks * block_size)
    std::uint64_t total_blocks = 0;
    std::uint64_t used_blocks = 0;    // as the header claims; the bitmap's count is authoritative
    // Offset 68 of a v2 header when the filesystem counts differently from the bitmap
    // (partclone.xfs); used_blocks otherwise. Written only, never trusted when read.
    std::optional<std::uint64_t> fs_used_blocks;
    std::uint32_t block_size = 0;
    std::uint16_t checksum_mode = partclone_checksum_crc32;
    std::uint16_t checksum_size = 4;
    std::uint32_t blocks_per_checksum = 0;
    bool reseed = true;               // restart the CRC after each stored checksum
};

// The image format's version at offset 30: 1, 2, or 0 when this is no Partclone stream.
int partclone_format_of(const std::uint8_t* first_bytes, std::size_t length);

std::array<std::uint8_t, partclone_v2_header_size> encode_partclone_v2(const PartcloneHeader& h);

// Both throw Error(image_corrupt) naming the field that is wrong.
PartcloneHeader decode_partclone_v2(const std::uint8_t* bytes);
PartcloneHeader decode_partclone_v1(const std::uint8_t* bytes);

// Blocks per checksum that Clonezilla's partclone invocations produce (-z 10485760), which
// partclone 0.3.23 restores reliably (some small odd values crash it).
std::uint32_t clonezilla_blocks_per_checksum(std::uint32_t block_size);

}  // namespace kura
