// The few facts about block devices that only sysfs knows: partitions and their parent
// disk, holders (device-mapper, RAID), slaves, loop backing files, device-mapper names and
// the per-device attribute files disk discovery reads. The root is a parameter so tests can
// point it at a fake tree shaped like the kernel's (/sys/dev/block/M:m, /sys/block/<disk>
// and /sys/class/block/<name> are symlinks into /sys/devices/...).
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

    const std::string& root() const { return root_; }

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

    // The kernel names under /sys/block: whole disks (and loop, dm, md, zram...), never
    // partitions. Sorted, so discovery is deterministic.
    std::vector<std::string> block_names() const;
    // The device number of any block device or partition by kernel name (/sys/class/block).
    std::optional<dev_t> dev_of(const std::string& kernel_name) const;

    // An attribute file under the device's directory ("size", "queue/rotational",
    // "device/model"), first line with surrounding blanks removed: the kernel pads
    // fixed-width SCSI/NVMe fields with spaces. nullopt when the file does not exist.
    std::optional<std::string> attribute(dev_t dev, const std::string& relative) const;
    // The same as a number; nullopt when missing or not a number.
    std::optional<std::uint64_t> number(dev_t dev, const std::string& relative) const;
    // The whole file, bytes as they are (binary pages such as device/vpd_pg80).
    std::optional<std::string> raw_attribute(dev_t dev, const std::string& relative) const;

    // Device-mapper: the map's name ("mpatha") and uuid ("mpath-3600...", "part1-mpath-...",
    // "LVM-..."); empty for a device that is not a map.
    std::string dm_name(dev_t dev) const;
    std::string dm_uuid(dev_t dev) const;
    // The maps kpartx (multipath's partitioner) made of a device-mapper disk: holders whose
    // uuid is "part<N>-" + the disk's uuid. They are the disk's partitions, not users of it.
    std::vector<dev_t> partition_maps(dev_t dm_disk) const;

private:
    std::vector<dev_t> devs_in(const std::string& dir) const;
    std::string root_;
};

std::optional<dev_t> read_dev_file(const std::string& path);

// The partition number of a kpartx map ("part2-mpath-3600...") of the device-mapper disk
// whose uuid is `disk_uuid` ("mpath-3600..."), else nullopt.
std::optional<int> dm_partition_number(const std::string& map_uuid, const std::string& disk_uuid);

}  // namespace kura
