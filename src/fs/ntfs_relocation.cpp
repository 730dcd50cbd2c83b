#include "fs/ntfs_relocation.h"

#include "core/log.h"
#include "device/device.h"
#include "fs/ntfs_boot_sector.h"

#include <limits>

namespace kura {
namespace {

// Rewrites one copy; returns false when that copy is not an NTFS boot sector.
bool patch_copy(Device& target, std::uint64_t offset, std::uint32_t hidden) {
    std::uint8_t sector[ntfs_boot_sector_size];
    target.read_at(sector, sizeof sector, offset);
    std::string problem;
    if (!parse_ntfs_boot_sector(sector, problem)) return false;
    std::uint8_t field[4];
    for (int i = 0; i < 4; ++i) field[i] = static_cast<std::uint8_t>(hidden >> (8 * i));
    target.write_at(field, sizeof field, offset + ntfs_hidden_sectors_offset);
    return true;
}

}  // namespace

void relocate_ntfs_boot_sectors(Device& target, std::uint64_t start_sector) {
    std::uint8_t sector[ntfs_boot_sector_size];
    target.read_at(sector, sizeof sector, 0);
    std::string problem;
    auto boot = parse_ntfs_boot_sector(sector, problem);
    if (!boot) {
        log::warn(target.path() + ": not adjusting the NTFS boot sector after the restore: " + problem);
        return;
    }
    const std::uint64_t start_bytes = start_sector * 512;
    if (start_bytes % boot->bytes_per_sector != 0) {
        log::warn(target.path() + ": the partition starts at byte " + std::to_string(start_bytes) +
                  ", not on a " + std::to_string(boot->bytes_per_sector) +
                  "-byte sector; its NTFS boot sector's hidden-sectors field is left as saved");
        return;
    }
    const std::uint64_t hidden = start_bytes / boot->bytes_per_sector;
    if (hidden == boot->hidden_sectors) return;
    if (hidden > std::numeric_limits<std::uint32_t>::max()) {
        log::warn(target.path() + ": the partition starts beyond what the NTFS hidden-sectors field can hold; "
                                  "left as saved");
        return;
    }
    patch_copy(target, 0, static_cast<std::uint32_t>(hidden));
    bool backup = boot->backup_offset() + ntfs_boot_sector_size <= target.size() &&
                  patch_copy(target, boot->backup_offset(), static_cast<std::uint32_t>(hidden));
    target.sync();
    log::info(target.path() + ": NTFS boot sector's hidden sectors changed from " +
              std::to_string(boot->hidden_sectors) + " to " + std::to_string(hidden) +
              " (the partition starts elsewhere than the saved one)" +
              (backup ? ", backup boot sector too" : "; the backup boot sector was not found"));
}

}  // namespace kura
