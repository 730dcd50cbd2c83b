// The LVM volume groups on the listed disks' PVs, for `kura list-disks` and the menu's
// disk lists: each VG's LVs with their filesystem and used bytes (read through kura's own
// LV node, the VG never activated), or why an LV goes with its PVs; as lines under the
// disks and as JSON. In ops/ so that both fronts (cli/, tui/) share one reading.
#pragma once

#include "device/disk_inventory.h"
#include "volume/lvm_discovery.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

struct ListedLogicalVolume {
    const LvmLogicalVolume* lv = nullptr;
    LvVerdict verdict;
    std::uint64_t size_bytes = 0;
    std::string fs_type;             // libblkid through the LV node; empty when not probed
    std::uint64_t used_bytes = 0;    // by the filesystem reader; 0 when unknown
    bool used_known = false;
    std::string note;                // why it was not probed, or why its filesystem was not read
    // No node of kura's own can read it here (`note` says why: two segments without
    // device-mapper...): a save copies its PVs whole, as for a through_pvs LV.
    bool unreadable = false;
};

struct ListedVolumeGroup {
    DiscoveredVolumeGroup found;
    std::vector<std::string> member_names;  // the candidates (sda2, loop3) holding its PVs, in disk order
    std::vector<ListedLogicalVolume> lvs;
};

// Reads every LVM2_member among the disks (whole disks and partitions). Throws
// Error(source_unsupported) naming the device when a label or metadata is damaged.
std::vector<ListedVolumeGroup> list_volume_groups(const std::vector<DiskInfo>& disks);

// `table` (disks_table_text) with each VG's lines inserted under its first PV's row.
std::string with_volume_groups(const std::string& table, const std::vector<ListedVolumeGroup>& vgs);
// The "volume_groups" JSON array.
std::string volume_groups_json(const std::vector<ListedVolumeGroup>& vgs);

}  // namespace kura
