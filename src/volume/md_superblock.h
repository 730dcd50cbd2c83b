// The superblock of one md RAID member, read from the member's bytes without the md
// driver: the host kernel has none, and on the live system reading a source must not
// change it (assembling an array can: event counts, resync). Layout from Linux's
// include/uapi/linux/raid/md_p.h; where each version keeps it:
//   0.90  the last 64 KiB-aligned 64 KiB of the device (CPU byte order: little-endian here)
//   1.0   at least 8 KiB before the end, 4 KiB aligned
//   1.1   at byte 0
//   1.2   at byte 4096
// Everything read is checked against the device's size and the checksum; a damaged
// superblock is an Error naming the device and the field, never a guess.
#pragma once

#include "device/device.h"

#include <cstdint>
#include <optional>
#include <string>

namespace kura {

enum class MdMetadata { v0_90, v1_0, v1_1, v1_2 };

// "0.90", "1.0", "1.1", "1.2": as mdadm's --metadata= takes them.
std::string md_metadata_name(MdMetadata metadata);

// md's RAID levels as mdadm names them: "linear", "raid0", "raid1", "raid4", "raid5",
// "raid6", "raid10".
std::string md_level_name(int level);

struct MdSuperblock {
    MdMetadata metadata = MdMetadata::v1_2;
    std::uint64_t superblock_offset = 0;  // bytes from the member's start
    int level = 1;                        // -1 linear, 0, 1, 4, 5, 6, 10
    std::uint32_t raid_disks = 0;
    std::uint32_t layout = 0;
    std::uint64_t chunk_bytes = 0;        // 0 for RAID1 and linear
    std::string uuid;                     // mdadm's form: xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx
    std::string name;                     // 1.x: "homehost:name" as written; empty for 0.90
    std::uint32_t preferred_minor = 0;    // 0.90 only: the N of /dev/mdN it was made as
    std::optional<std::uint32_t> role;    // this member's slot; nullopt for a spare or faulty one
    bool faulty = false;
    std::uint64_t events = 0;
    std::uint64_t data_offset = 0;        // bytes from the member's start to the array's data
    std::uint64_t data_size = 0;          // bytes of this member the array uses (md's "size")
    std::uint64_t array_size = 0;         // bytes of the array; 0 when one member cannot tell (raid0, linear)
    // Set while this member is being rebuilt: only the bytes before it (from data_offset)
    // hold the array's data. Such a member must not be read.
    std::optional<std::uint64_t> recovery_offset;
    bool clean = false;                   // the array was stopped cleanly (no resync pending)
};

// nullopt when the member has no md superblock at any of the four places. `offset`/`size`:
// the member's range within `device` (a partition of a disk image file), or 0 and the
// device's size. `label` names the member in messages (/dev/sda2). Throws
// Error(source_unsupported) "LABEL: md superblock FIELD ..." for a superblock that is
// there but damaged, inconsistent with the device, or in the middle of a reshape.
std::optional<MdSuperblock> read_md_superblock(const Device& device, std::uint64_t offset, std::uint64_t size,
                                               const std::string& label);
std::optional<MdSuperblock> read_md_superblock(const std::string& path);

}  // namespace kura
