// One LUN reached over several paths (two FC HBAs, two iSCSI sessions) appears once per
// path (sdb, sdc) and once more as the dm-multipath map that joins them. Only the map may
// be offered: writing through one path behind multipathd's back leaves the other paths'
// caches stale and defeats path failover in the middle of a restore.
#pragma once

#include "device/disk_inventory.h"
#include "device/sysfs.h"

#include <string>
#include <vector>

namespace kura {

// A device-mapper device whose uuid starts "mpath-" (multipathd's maps); LVM, crypt and
// kpartx partition maps are not.
bool is_multipath_map(const Sysfs& sysfs, dev_t dev);

// Replaces the paths of every multipath map in `disks` by the map: the map gets `paths`
// (its slaves, by kernel name), and from its first path the identifiers, model, vendor,
// rotational flag and `path_transport`. When no path has a WWID, the map's own uuid after
// "mpath-" stands in. The paths are removed from `disks`.
void collapse_multipath(std::vector<DiskInfo>& disks, const Sysfs& sysfs);

// Disks that share a WWID but that no map joins (multipath not started): both stay
// listed, since neither is "the" device, and both are refused until a map exists.
// Transports where a shared WWID does not mean a shared LUN are left alone: USB bridges
// and card readers report made-up, repeated identifiers; loops and files have none.
void refuse_unjoined_paths(std::vector<DiskInfo>& disks);

// A multipath map's partitions: the kpartx maps holding it (number from their uuid "partN-",
// name and path /dev/mapper/<name>). Their start comes from the matching kernel partition
// of a path, when the kernel partitioned the paths too; else it is left at 0.
std::vector<PartitionInfo> multipath_partitions(const Sysfs& sysfs, const DiskInfo& map,
                                                const std::string& dev_root);

// Adds a reason to `disk.refusal` ("a; b").
void add_refusal(DiskInfo& disk, const std::string& reason);

}  // namespace kura
