// How an operator, an image or an unattended command names a disk, resolved against what
// discovery found. Kept apart from enumeration so `list-disks --devices` and find_disk
// accept exactly the same names.
#pragma once

#include "device/disk_inventory.h"
#include "device/sysfs.h"

#include <string>
#include <vector>

namespace kura {

// The disks `key` names among `disks`: "wwid:X" and "serial:X" (compared after
// normalize_identifier, ignoring case), a path (a block device node or a symlink to one
// such as /dev/disk/by-id/..., /dev/mapper/mpatha; a regular file is described by
// describe_disk_file), or a name (sda, mpatha, dm-0). A multipath path (sdb, /dev/sdb)
// names its map. More than one disk only for a shared WWID without a map.
// Throws Error(target_refused) when `key` names a partition or nothing.
std::vector<DiskInfo> disks_named(const std::vector<DiskInfo>& disks, const std::string& key, const Sysfs& sysfs,
                                  const std::string& dev_root);

}  // namespace kura
