// The NTFS boot sector fields kura needs without libntfs-3g: where the volume ends and its
// backup boot sector lies (the last sector of the partition), and the "hidden sectors"
// field that Windows' boot code uses to find its partition on the disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kura {

inline constexpr std::size_t ntfs_boot_sector_size = 512;
inline constexpr std::size_t ntfs_hidden_sectors_offset = 0x1C;

struct NtfsBootSector {
    std::uint32_t bytes_per_sector = 0;
    std::uint32_t cluster_size = 0;
    std::uint32_t hidden_sectors = 0;   // the partition's first sector on its disk
    std::uint64_t total_sectors = 0;    // of the volume; the backup boot sector follows them
    std::uint64_t backup_offset() const { return total_sectors * bytes_per_sector; }
};

// Parses a boot sector (512 bytes); on failure returns nullopt and says what is wrong in
// `problem`.
std::optional<NtfsBootSector> parse_ntfs_boot_sector(const std::uint8_t* sector, std::string& problem);

}  // namespace kura
