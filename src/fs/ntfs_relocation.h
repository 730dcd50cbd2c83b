// Windows' boot code finds its partition through the boot sector's "hidden sectors" field
// (the partition's first sector on the disk). Restored to a partition that starts somewhere
// else, an NTFS volume would no longer boot; this rewrites the field in the boot sector and
// its backup, as Partclone's ntfsreloc / ntfsfixboot do.
#pragma once

#include <cstdint>

namespace kura {

class Device;

// `start_sector` counts 512-byte sectors, as the kernel reports partition starts. Logs what
// it changed; leaves a target that does not hold NTFS alone (with a warning).
void relocate_ntfs_boot_sectors(Device& target, std::uint64_t start_sector);

}  // namespace kura
