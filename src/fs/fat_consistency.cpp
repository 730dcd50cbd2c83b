#include "fs/fat_consistency.h"

#include "device/device.h"
#include "fs/inconsistent_filesystem.h"

#include <cstdio>
#include <cstring>
#include <vector>

namespace kura {
namespace {

[[noreturn]] void inconsistent(const std::string& path, const FatLayout& f, const std::string& check,
                               const std::string& detail) {
    throw InconsistentFilesystem(path, f.type_name(), check, detail, "`fsck.fat -a " + path + "`");
}

std::string hex(std::uint32_t v) {
    char s[16];
    std::snprintf(s, sizeof s, "0x%X", v);
    return s;
}

// FAT32 entries one at a time, a sector of the FAT cached: a root chain is short, and
// walking it must not read the whole FAT again.
class Fat32Entries {
public:
    Fat32Entries(const Device& device, const FatLayout& f, std::uint32_t fat)
        : device_(device),
          bytes_per_sector_(f.bytes_per_sector),
          fat_offset_(f.fat_start_sector(fat) * f.bytes_per_sector),
          sector_(f.bytes_per_sector) {}

    std::uint32_t entry(std::uint32_t cluster) {
        const std::uint64_t at = std::uint64_t(cluster) * 4;
        const std::uint64_t sector = at / bytes_per_sector_;
        if (sector != cached_) {
            device_.read_at(sector_.data(), sector_.size(), fat_offset_ + sector * bytes_per_sector_);
            cached_ = sector;
        }
        std::uint32_t v;
        std::memcpy(&v, sector_.data() + at % bytes_per_sector_, 4);
        return v & 0x0FFFFFFF;
    }

private:
    const Device& device_;
    std::uint32_t bytes_per_sector_;
    std::uint64_t fat_offset_;
    std::vector<std::uint8_t> sector_;
    std::uint64_t cached_ = ~0ull;
};

}  // namespace

void check_fat_media_entry(const std::string& path, const FatLayout& f, std::uint32_t entry0) {
    if ((entry0 & 0xFF) != f.media)
        inconsistent(path, f, "FAT entry 0",
                     "the FAT's first entry is " + hex(entry0) + ", but the boot sector's media byte is " +
                         hex(f.media) + " (the FAT is not where the boot sector says, or it was overwritten)");
}

void check_fat32_root_chain(const std::string& path, const Device& device, const FatLayout& f, std::uint32_t fat) {
    if (f.fat_bits != 32) return;
    const std::uint32_t last = f.cluster_count + 1;
    const std::uint32_t bad = f.bad_cluster_mark();
    if (f.root_cluster < 2 || f.root_cluster > last)
        inconsistent(path, f, "FAT32 root directory cluster",
                     "the root directory starts at cluster " + std::to_string(f.root_cluster) +
                         ", outside the volume's clusters 2.." + std::to_string(last));
    Fat32Entries entries(device, f, fat);
    std::uint32_t cluster = f.root_cluster;
    // A chain longer than the volume has clusters has a loop.
    for (std::uint32_t steps = 0; steps <= f.cluster_count; ++steps) {
        const std::uint32_t next = entries.entry(cluster);
        if (next == 0 || next == bad)
            inconsistent(path, f, "FAT32 root directory chain",
                         "the root directory's cluster " + std::to_string(cluster) + " is marked " +
                             (next == 0 ? "free" : "bad") + " in the FAT");
        if (next > bad) return;  // end of chain
        if (next < 2 || next > last)
            inconsistent(path, f, "FAT32 root directory chain",
                         "the root directory's cluster " + std::to_string(cluster) + " links to cluster " +
                             std::to_string(next) + ", outside the volume's clusters 2.." + std::to_string(last));
        cluster = next;
    }
    inconsistent(path, f, "FAT32 root directory chain", "the root directory's cluster chain loops");
}

}  // namespace kura
