#include "fs/ntfs_boot_sector.h"

#include <cstring>

namespace kura {
namespace {

template <typename T>
T little_endian(const std::uint8_t* p) {
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
    return v;
}

bool power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

std::optional<NtfsBootSector> parse_ntfs_boot_sector(const std::uint8_t* s, std::string& problem) {
    if (std::memcmp(s + 3, "NTFS    ", 8) != 0) {
        problem = "its boot sector has no NTFS signature";
        return std::nullopt;
    }
    if (s[510] != 0x55 || s[511] != 0xAA) {
        problem = "its boot sector lacks the 55 AA end marker";
        return std::nullopt;
    }
    NtfsBootSector b;
    b.bytes_per_sector = little_endian<std::uint16_t>(s + 0x0B);
    if (!power_of_two(b.bytes_per_sector) || b.bytes_per_sector < 256 || b.bytes_per_sector > 4096) {
        problem = "its boot sector gives " + std::to_string(b.bytes_per_sector) + " bytes per sector";
        return std::nullopt;
    }
    // Values above 0x80 encode clusters of 2^(256 - value) sectors (clusters over 64 KiB).
    std::uint32_t spc = s[0x0D];
    if (spc > 0x80) {
        std::uint32_t exponent = 256 - spc;
        spc = exponent < 32 ? 1u << exponent : 0;
    }
    if (!power_of_two(spc) || static_cast<std::uint64_t>(spc) * b.bytes_per_sector > (2u << 20)) {
        problem = "its boot sector gives an invalid cluster size (sectors per cluster byte " +
                  std::to_string(s[0x0D]) + ")";
        return std::nullopt;
    }
    b.cluster_size = spc * b.bytes_per_sector;
    b.hidden_sectors = little_endian<std::uint32_t>(s + ntfs_hidden_sectors_offset);
    b.total_sectors = little_endian<std::uint64_t>(s + 0x28);
    if (b.total_sectors == 0 || b.total_sectors > (1ull << 48)) {
        problem = "its boot sector gives a volume of " + std::to_string(b.total_sectors) + " sectors";
        return std::nullopt;
    }
    return b;
}

}  // namespace kura
