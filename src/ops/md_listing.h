// The md RAID arrays whose members are on the listed disks, for `kura list-disks` and the
// menu's save lists: read from the members' superblocks without assembling anything (as a
// save reads them, ops/md_sources.h): each array's name as kura saves it (mdN), level,
// metadata and members with their state, and for RAID1 the filesystem and its used bytes
// read through one in-sync member's data window; other levels' members are copied whole.
// In ops/ so that both fronts (cli/, tui/) share one reading.
#pragma once

#include "device/disk_inventory.h"
#include "volume/md_array.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kura {

enum class MdMemberState { in_sync, spare, stale, faulty, rebuilding };

// "in sync", "spare", "stale", "faulty", "rebuilding": the words of list-disks and --json.
std::string md_member_state_name(MdMemberState state);

struct ListedMdMember {
    std::string name;                  // sda2, loop3p1
    MdMemberState state = MdMemberState::in_sync;
    std::optional<std::uint32_t> slot; // its role in the array; nullopt for a spare or faulty one
};

struct ListedMdArray {
    MdArray array;
    std::vector<ListedMdMember> members;  // in sync in slot order, then spares, then those not read
    // Only RAID1 is read without assembling; the other levels' members are copied whole (dd).
    bool copied_whole = false;
    std::string fs_type;            // RAID1: libblkid through the data window; empty when not probed
    std::uint64_t used_bytes = 0;   // by the filesystem reader; 0 when unknown
    bool used_known = false;
    std::string note;               // why the filesystem was not read (a slot missing, an engine error)

    // The member the array is listed under: the first in disk order.
    std::string first_member;
};

// Reads every linux_raid_member partition (and whole disk) among the disks. Throws
// Error(source_unsupported) naming the member for a damaged superblock, and for members of
// one array that disagree (volume/md_array.h).
std::vector<ListedMdArray> list_md_arrays(const std::vector<DiskInfo>& disks);

// "md0  raid1 1.2  ext4  5.2 MB used of 15.0 MB  (members vdc1 vdd1)", without indent.
std::string md_array_line(const ListedMdArray& a);
// `table` (disks_table_text, maybe with the VGs already in it) with each array's line
// inserted under the row of its first member.
std::string with_md_arrays(const std::string& table, const std::vector<ListedMdArray>& arrays);
// The "md_arrays" JSON array.
std::string md_arrays_json(const std::vector<ListedMdArray>& arrays);

}  // namespace kura
