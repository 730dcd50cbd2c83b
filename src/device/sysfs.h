// The few facts about block devices that only sysfs knows: partitions and their parent
// disk, holders (device-mapper, RAID), slaves, loop backing files. The root is a parameter
// so tests can point it at a fake tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace kura {

class Sysfs {
public:
    explicit Sysfs(std::string root = "/sys") : root_(std::move(root)) {}

    // The device's directory, e.g. /sys/devices/.../block/sda/sda1, if it exists.
    std::optional<std::string> dir_of(dev_t dev) const;
    std::string kernel_name(dev_t dev) const;  // "sda1"; empty if unknown
    bool is_partition(dev_t dev) const;
    std::optional<dev_t> parent_disk(dev_t partition) const;
    // A partition's first sector on its disk, in 512-byte units; nullopt for a non-partition.
    std::optional<std::uint64_t> partition_start(dev_t dev) const;
    std::vector<dev_t> partitions(dev_t disk) const;
    std::vector<std::string> holders(dev_t dev) const;  // names, e.g. "dm-0"
    std::vector<dev_t> slaves(dev_t dev) const;
    std::optional<std::string> loop_backing_file(dev_t dev) const;
    // Every loop device's (name, backing file) pair.
    std::vector<std::pair<std::string, std::string>> loop_backing_files() const;

private:
    std::vector<dev_t> devs_in(const std::string& dir) const;
    std::string root_;
};

std::optional<dev_t> read_dev_file(const std::string& path);

}  // namespace kura
