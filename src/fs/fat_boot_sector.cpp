#include "fs/fat_boot_sector.h"

#include "core/error.h"

namespace kura {
namespace {

std::uint32_t u8(const std::uint8_t* p, std::size_t at) { return p[at]; }
std::uint32_t u16(const std::uint8_t* p, std::size_t at) { return p[at] | (std::uint32_t(p[at + 1]) << 8); }
std::uint32_t u32(const std::uint8_t* p, std::size_t at) { return u16(p, at) | (u16(p, at + 2) << 16); }

bool power_of_two(std::uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

// The largest cluster counts the FAT drivers accept for each width (Linux's MAX_FAT12/16/32;
// Microsoft's specification draws the same lines).
constexpr std::uint32_t max_fat12_clusters = 4084;
constexpr std::uint32_t max_fat16_clusters = 65524;
constexpr std::uint32_t max_fat32_clusters = 0x0FFFFFF6 - 1;

}  // namespace

std::uint32_t FatLayout::bad_cluster_mark() const {
    switch (fat_bits) {
        case 12: return 0xFF7;
        case 16: return 0xFFF7;
        default: return 0x0FFFFFF7;
    }
}

FatLayout parse_fat_boot_sector(const std::uint8_t* s, const std::string& where) {
    auto fail = [&](const std::string& what) -> void {
        throw Error(ExitCode::source_unsupported, where + ": not a usable FAT boot sector: " + what);
    };
    FatLayout f;
    f.bytes_per_sector = u16(s, 11);
    f.sectors_per_cluster = u8(s, 13);
    f.reserved_sectors = u16(s, 14);
    f.fat_count = u8(s, 16);
    const std::uint32_t root_entries = u16(s, 17);
    const std::uint32_t total16 = u16(s, 19);
    const std::uint32_t fat_size16 = u16(s, 22);
    const std::uint32_t total32 = u32(s, 32);

    if (!power_of_two(f.bytes_per_sector) || f.bytes_per_sector < 512 || f.bytes_per_sector > 4096)
        fail("bytes per sector is " + std::to_string(f.bytes_per_sector) +
             " (must be a power of two from 512 to 4096)");
    if (!power_of_two(f.sectors_per_cluster))
        fail("sectors per cluster is " + std::to_string(f.sectors_per_cluster) + " (must be a power of two)");
    if (f.reserved_sectors == 0) fail("no reserved sectors (the boot sector itself is one)");
    if (f.fat_count == 0) fail("the number of FATs is 0");

    // FAT32 is the BPB whose 16-bit FAT size is 0 (how Linux and Microsoft tell it apart);
    // FAT12 and FAT16 differ only in their cluster count.
    const bool fat32 = fat_size16 == 0;
    std::uint32_t state_offset = 37, signature_offset = 38;
    if (fat32) {
        f.sectors_per_fat = u32(s, 36);
        if (root_entries != 0) fail("a FAT32 BPB with " + std::to_string(root_entries) + " root directory entries");
        const std::uint32_t ext_flags = u16(s, 40);
        if (ext_flags & 0x80) f.only_active_fat = static_cast<int>(ext_flags & 0x0F);
        state_offset = 65;
        signature_offset = 66;
    } else {
        f.sectors_per_fat = fat_size16;
        if (root_entries == 0) fail("a FAT12/16 BPB with no root directory entries");
    }
    if (f.sectors_per_fat == 0) fail("the FAT size is 0 sectors");
    if (f.only_active_fat >= static_cast<int>(f.fat_count))
        fail("the active FAT is #" + std::to_string(f.only_active_fat + 1) + " of " + std::to_string(f.fat_count));

    f.total_sectors = total16 != 0 ? total16 : total32;
    if (f.total_sectors == 0) fail("the volume has 0 sectors");
    f.root_dir_sectors = (root_entries * 32 + f.bytes_per_sector - 1) / f.bytes_per_sector;
    f.first_data_sector =
        f.reserved_sectors + std::uint64_t(f.fat_count) * f.sectors_per_fat + f.root_dir_sectors;
    if (f.first_data_sector >= f.total_sectors)
        fail("the reserved area, FATs and root directory (" + std::to_string(f.first_data_sector) +
             " sectors) do not fit in the volume's " + std::to_string(f.total_sectors) + " sectors");
    const std::uint64_t clusters = (f.total_sectors - f.first_data_sector) / f.sectors_per_cluster;
    if (clusters == 0) fail("the volume has no room for a single cluster");

    if (fat32) {
        f.fat_bits = 32;
        if (clusters > max_fat32_clusters) fail(std::to_string(clusters) + " clusters is too many for FAT32");
    } else if (clusters <= max_fat12_clusters) {
        f.fat_bits = 12;
    } else if (clusters <= max_fat16_clusters) {
        f.fat_bits = 16;
    } else {
        fail(std::to_string(clusters) + " clusters with a 16-bit FAT size field (too many for FAT16)");
    }
    f.cluster_count = static_cast<std::uint32_t>(clusters);

    // Every cluster needs its entry (plus the two reserved ones) inside one FAT copy.
    const std::uint64_t entries_in_fat = std::uint64_t(f.sectors_per_fat) * f.bytes_per_sector * 8 / f.fat_bits;
    if (entries_in_fat < clusters + 2)
        fail("a FAT of " + std::to_string(f.sectors_per_fat) + " sectors has room for " +
             std::to_string(entries_in_fat) + " entries, but the volume has " + std::to_string(clusters) +
             " clusters");
    if (fat32) f.root_cluster = u32(s, 44);
    f.media = static_cast<std::uint8_t>(u8(s, 21));
    const std::uint32_t signature = u8(s, signature_offset);
    if (signature == 0x29 || signature == 0x28) f.boot_sector_dirty = u8(s, state_offset) & 0x01;
    return f;
}

}  // namespace kura
