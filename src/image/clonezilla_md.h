// The files Clonezilla (upstream 5.15.6 and later: ocs-save-mdraid-layout and
// ocs-restore-mdraid-layout) writes for an md RAID array, and kura writes the same way
// (docs/image-format.md, "md RAID"):
//   mdN-config.env       the array's description as shell assignments (MD_UUID, MD_NAME,
//                        MD_META, MD_LEVEL, MD_DEVICES_COUNT, MD_CHUNK, MD_LAYOUT,
//                        MD_DATA_OFFSET, MD_MEMBERS_ORDERED). Clonezilla's restore sources
//                        it; kura never does: it is parsed strictly, line by line.
//   mdN-detail.info      `mdadm --detail /dev/mdN` where an assembled array exists; kura
//                        assembles nothing, so it writes the same facts in its own words
//   <member>-examine.info  `mdadm --examine` of each member, as mdadm prints it
#pragma once

#include "volume/md_array.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kura {

class Repository;

struct ClonezillaMdConfig {
    std::string device;    // md0: from the file's name
    std::string uuid;      // MD_UUID, mdadm's form
    std::string name;      // MD_NAME "homehost:name"; empty for 0.90
    std::string metadata;  // MD_META: 0.90, 1.0, 1.1, 1.2
    std::string level;     // MD_LEVEL: raid0, raid1, raid4, raid5, raid6, raid10, linear
    std::uint32_t devices = 0;                       // MD_DEVICES_COUNT
    std::optional<std::uint64_t> chunk_kib;          // MD_CHUNK (empty for raid1)
    std::string layout;                              // MD_LAYOUT as mdadm names it (empty for raid1)
    std::optional<std::uint64_t> data_offset_sectors;// MD_DATA_OFFSET
    std::vector<std::string> members;                // MD_MEMBERS_ORDERED without /dev/; "missing" for a hole

    int level_number() const;  // -1 linear, 0, 1, 4, 5, 6, 10
};

std::string md_config_file_name(const std::string& device);      // md0-config.env
std::string md_detail_file_name(const std::string& device);      // md0-detail.info
std::string md_examine_file_name(const std::string& member);     // sda1-examine.info

// mdadm's name of a RAID4/5/6 or RAID10 layout (left-symmetric, n2 ...); empty for the
// levels without one. Throws Error(source_unsupported) for a number mdadm has no name for.
std::string md_layout_name(int level, std::uint32_t layout);

ClonezillaMdConfig md_config_for(const MdArray& array);
std::string md_config_text(const ClonezillaMdConfig& config);
// The facts `mdadm --detail` would show, from the members' superblocks, and a first line
// that says where they come from.
std::string md_detail_text(const MdArray& array);

// Throws Error(image_corrupt) naming the file, the line and what is wrong: unknown or
// repeated keys, anything that is not KEY=VALUE or KEY="VALUE", shell syntax, values out
// of range, members fewer than the devices.
ClonezillaMdConfig parse_md_config(const std::string& text, const std::string& file_name);

// Every mdN-config.env of an image directory, parsed, in name order. Empty when it has none.
std::vector<ClonezillaMdConfig> read_image_md_arrays(const Repository& repo, const std::string& image_dir);

}  // namespace kura
