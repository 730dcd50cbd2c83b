// md arrays described from their members' superblocks, without assembling anything: the
// host kernel has no md driver, and the live system must not change a source before the
// operator chooses (assembling can bump event counts or start a resync).
//
// A member's superblock names its array (UUID, level, geometry) and its own slot, never
// the other members, so the members are grouped by UUID here, the newest event count wins,
// and members that are stale (older events), faulty or still being rebuilt (a recovery
// offset) are listed but never read. For RAID1 every in-sync member holds the whole array
// at its data offset: the array's bytes are that window of one member.
#pragma once

#include "volume/md_superblock.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

struct MdMember {
    std::string name;          // as the image names it: sda2
    std::string path;          // where its bytes are read: /dev/sda2, a loop window
    MdSuperblock superblock;
};

struct MdArray {
    std::string device;                 // md0 ...: the array's name in the image (md_device_names)
    std::string uuid;
    std::string name;                   // 1.x "homehost:name"; empty for 0.90
    MdMetadata metadata = MdMetadata::v1_2;
    int level = 1;
    std::uint32_t raid_disks = 0;
    std::uint32_t layout = 0;
    std::uint64_t chunk_bytes = 0;
    std::uint64_t events = 0;           // the newest members'
    std::uint64_t array_size = 0;       // bytes; 0 when the members alone cannot tell (raid0, linear)
    std::uint32_t preferred_minor = 0;  // 0.90
    std::vector<MdMember> active;       // in sync at the newest events, in slot order
    std::vector<MdMember> spares;       // current spares
    std::vector<MdMember> not_read;     // stale, faulty or rebuilding: listed, never read
    std::vector<std::string> not_read_reasons;  // one per not_read member
    std::vector<std::uint32_t> missing_slots;   // slots no in-sync member fills

    // Members in slot order, "missing" for a slot nobody fills, spares last: Clonezilla's
    // MD_MEMBERS_ORDERED (member names, not paths).
    std::vector<std::string> members_ordered() const;
    // Every member found, read or not (for the "all members must be saved" check).
    std::vector<std::string> all_member_names() const;
};

// Groups members into arrays, in the order their first member comes. Throws
// Error(source_unsupported) naming the members when members of one UUID disagree about the
// array (level, geometry, metadata, name) or two in-sync members claim one slot.
std::vector<MdArray> describe_md_arrays(const std::vector<MdMember>& members);

// Gives each array its name in the image: md<preferred minor> for 0.90, mdN for a 1.x name
// "host:N" with N a number (what mdadm --create /dev/mdN writes by default), else the
// lowest mdN still free. Clonezilla names an array as the running system shows it (often
// md127, counting down); nothing is assembled here, so the name comes from the superblock.
void name_md_arrays(std::vector<MdArray>& arrays);

// The array's bytes without assembling it: [data_offset, data_offset + array_size) of an
// in-sync member. RAID1 only. Throws Error(source_unsupported) naming the array when no
// member is in sync or a slot is missing.
struct MdDataWindow {
    const MdMember* member = nullptr;
    std::uint64_t offset = 0;  // bytes into the member
    std::uint64_t size = 0;    // the array's size
};
MdDataWindow raid1_data_window(const MdArray& array);

}  // namespace kura
