// Cross-checks of a FAT volume's metadata, run before its used set is trusted (fs/fat.cpp).
// The reserved area, every FAT copy and the FAT12/16 root directory are always in the used
// set, and the boot sector's geometry is checked when it is parsed; what is left to lie is
// the FAT itself: a FAT that is not where the boot sector says (or was overwritten) calls
// every cluster free, and a FAT32 root directory chain outside the volume or through free
// clusters would restore into a volume without a root directory. Each failure throws
// InconsistentFilesystem with `fsck.fat -a` as the repair.
#pragma once

#include "fs/fat_boot_sector.h"

#include <cstdint>
#include <string>

namespace kura {

class Device;

// Entry 0 of the FAT the volume is read by repeats the boot sector's media byte.
void check_fat_media_entry(const std::string& path, const FatLayout& f, std::uint32_t entry0);

// FAT32: the root directory's chain starts inside the volume, runs through clusters the FAT
// calls in use, stays inside the volume and ends, without a loop. Reads FAT copy `fat`.
void check_fat32_root_chain(const std::string& path, const Device& device, const FatLayout& f, std::uint32_t fat);

}  // namespace kura
