// The FAT boot sector's BIOS Parameter Block, checked and turned into the volume's layout:
// where the reserved area, the FAT copies, the FAT12/16 root directory and the clusters lie.
// Kept apart from the used-block walk (fs/fat.cpp) so it can be tested on synthetic sectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kura {

// Enough of the boot sector to hold every BPB field, FAT32's included.
inline constexpr std::size_t fat_boot_sector_bytes = 512;

struct FatLayout {
    unsigned fat_bits = 0;  // 12, 16 or 32: the width of one FAT entry
    std::uint32_t bytes_per_sector = 0;
    std::uint32_t sectors_per_cluster = 0;
    std::uint32_t reserved_sectors = 0;  // boot sector, FAT32's FSInfo and backup boot sector, ...
    std::uint32_t fat_count = 0;
    std::uint32_t sectors_per_fat = 0;
    std::uint32_t root_dir_sectors = 0;  // the fixed FAT12/16 root directory; 0 on FAT32
    std::uint64_t total_sectors = 0;
    std::uint64_t first_data_sector = 0;  // where cluster 2 starts
    std::uint32_t cluster_count = 0;      // clusters 2 .. cluster_count+1
    // FAT32's first root directory cluster, as the BPB says: not range-checked here, since
    // a root chain outside the volume is metadata that lies (fs/fat_consistency.cpp), not an
    // unreadable boot sector. 0 on FAT12/16.
    std::uint32_t root_cluster = 0;
    // The BPB's media descriptor, which every FAT copy repeats in the low byte of entry 0.
    std::uint8_t media = 0;
    // The "volume dirty" flag Linux and Windows set in the boot sector while mounted; only
    // meaningful when the extended boot signature is present.
    bool boot_sector_dirty = false;
    // FAT32 can turn mirroring off (BPB_ExtFlags bit 7): then only this copy is kept up to
    // date and the others may hold anything. -1 while every copy mirrors the first.
    int only_active_fat = -1;

    std::uint64_t fat_start_sector(std::uint32_t copy) const {
        return reserved_sectors + std::uint64_t(copy) * sectors_per_fat;
    }
    std::uint64_t cluster_sector(std::uint32_t cluster) const {
        return first_data_sector + std::uint64_t(cluster - 2) * sectors_per_cluster;
    }
    // The entry values that mean "bad cluster" and the first "end of chain" value.
    std::uint32_t bad_cluster_mark() const;
    // The partclone header tag: partclone.fat writes the FAT type it found.
    std::string type_name() const { return "FAT" + std::to_string(fat_bits); }
};

// Parses the first fat_boot_sector_bytes of a volume. Throws Error(source_unsupported) naming
// the field that is wrong (`where` starts the message): a BPB no FAT driver would mount.
FatLayout parse_fat_boot_sector(const std::uint8_t* sector, const std::string& where);

}  // namespace kura
