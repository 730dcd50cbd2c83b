// What libblkid (util-linux) says a device holds: the same names Clonezilla uses for its
// data files and dev-fs.list, because Clonezilla asks blkid too.
#pragma once

#include <string>

namespace kura {

struct ProbeResult {
    std::string type;   // "ext4", "vfat", "ntfs", ... empty when nothing was recognised
    std::string uuid;
    std::string label;
    std::string version;
    std::string block_size;
};

// Throws Error(source_unsupported) when the device cannot be probed at all.
ProbeResult probe_filesystem(const std::string& path);

// One line as `blkid` prints it: /dev/sda1: LABEL="x" UUID="..." TYPE="ext4"
std::string blkid_line(const std::string& device_name, const ProbeResult& probe);

}  // namespace kura
