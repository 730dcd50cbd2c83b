#include "device/disk_inventory.h"

#include "core/error.h"
#include "device/disk_identity.h"
#include "device/disk_lookup.h"
#include "device/disk_transport.h"
#include "device/multipath_collapse.h"
#include "device/natural_order.h"
#include "device/partition_name.h"
#include "device/probe.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace kura {
namespace fs = std::filesystem;
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool digits_only(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Block devices that are never disks to save or restore: memory-backed ones, optical and
// floppy drives, software RAID (its members are listed, held by it), and an eMMC's
// hardware boot and RPMB areas (mmcblk0boot0, mmcblk0rpmb), which belong to the firmware.
bool left_out_by_name(const std::string& name) {
    for (const std::string prefix : {"ram", "zram", "sr", "fd", "md"})
        if (starts_with(name, prefix.c_str()) && digits_only(name.substr(prefix.size()))) return true;
    return starts_with(name, "mmcblk") && (name.find("boot") != std::string::npos || name.find("rpmb") != std::string::npos);
}

// One whole device under /sys/block, before multipath collapsing; nullopt when it is not
// a disk kura offers.
std::optional<DiskInfo> scan_disk(const Sysfs& sysfs, const std::string& name, const std::string& sys_root,
                                  const std::string& dev_root) {
    if (left_out_by_name(name)) return std::nullopt;
    auto dev = sysfs.dev_of(name);
    if (!dev) return std::nullopt;
    // Native NVMe multipath keeps one hidden device per path (nvme0c1n1) beside the
    // namespace: they have no device node and are never offered.
    if (sysfs.attribute(*dev, "hidden") == "1") return std::nullopt;

    DiskInfo d;
    d.name = name;
    d.dev = *dev;
    d.size_bytes = sysfs.number(*dev, "size").value_or(0) * 512;  // always 512-byte units
    if (d.size_bytes == 0) return std::nullopt;
    d.logical_sector = static_cast<std::uint32_t>(sysfs.number(*dev, "queue/logical_block_size").value_or(512));
    d.physical_sector =
        static_cast<std::uint32_t>(sysfs.number(*dev, "queue/physical_block_size").value_or(d.logical_sector));
    d.removable = sysfs.attribute(*dev, "removable") == "1";
    d.read_only = sysfs.attribute(*dev, "ro") == "1";
    d.rotational = sysfs.attribute(*dev, "queue/rotational") == "1";
    d.holders = sysfs.holders(*dev);
    std::sort(d.holders.begin(), d.holders.end(), natural_less);
    d.path = dev_root + "/" + name;

    if (starts_with(name, "loop")) {
        auto backing = sysfs.loop_backing_file(*dev);
        if (!backing) return std::nullopt;  // a free loop device
        d.transport = Transport::loop;
        d.backing_file = *backing;
        return d;
    }
    if (starts_with(name, "dm-")) {
        if (!is_multipath_map(sysfs, *dev)) return std::nullopt;  // LVM, crypt, kpartx partitions
        d.transport = Transport::multipath;
        std::string map = sysfs.dm_name(*dev);
        if (!map.empty()) d.path = dev_root + "/mapper/" + map;
        return d;
    }

    auto dir = sysfs.dir_of(*dev);
    std::string below_root = dir ? *dir : std::string();
    if (!sys_root.empty() && below_root.rfind(sys_root, 0) == 0) below_root = below_root.substr(sys_root.size());
    d.transport = transport_from_sysfs_path(below_root);
    DiskIds ids = read_disk_ids(sysfs, *dev, d.transport);
    d.model = ids.model;
    d.vendor = ids.vendor;
    d.serial = ids.serial;
    d.wwid = ids.wwid;
    return d;
}

std::vector<PartitionInfo> kernel_partitions(const Sysfs& sysfs, const DiskInfo& disk, const std::string& dev_root) {
    std::vector<PartitionInfo> out;
    for (dev_t dev : sysfs.partitions(disk.dev)) {
        PartitionInfo p;
        p.dev = dev;
        p.name = sysfs.kernel_name(dev);
        p.path = dev_root + "/" + p.name;
        // The kernel's own number; the name's suffix only if an old kernel lacks the file.
        if (auto n = sysfs.number(dev, "partition"))
            p.number = static_cast<int>(*n);
        else
            p.number = partition_number(disk.name, p.name).value_or(0);
        p.start_bytes = sysfs.partition_start(dev).value_or(0) * 512;
        p.size_bytes = sysfs.number(dev, "size").value_or(0) * 512;
        out.push_back(std::move(p));
    }
    return out;
}

struct Probed {
    std::string type, label, uuid;
};

// A device that cannot be probed (gone, unreadable, two signatures) shows no filesystem:
// listing must not fail because one partition is odd.
Probed probe(const std::string& path) {
    try {
        ProbeResult r = probe_filesystem(path);
        return {r.type, r.label, r.uuid};
    } catch (const Error&) {
        return {};
    }
}

std::vector<std::string> mount_points(const MountTable& mounts, dev_t dev) {
    std::vector<std::string> out;
    for (const auto& m : mounts.on_device(dev)) out.push_back(m.mount_point);
    return out;
}

// Partitions, filesystems, mounts and the verdict: what is worth reading only for the disks
// that are going to be shown.
void complete_disk(DiskInfo& d, const SystemView& view, const DiscoveryOptions& options) {
    if (d.transport == Transport::file) {
        for (const auto& reason : unsafe_file_target_reasons(d.path, view)) add_refusal(d, reason);
    } else {
        d.partitions = d.transport == Transport::multipath ? multipath_partitions(view.sysfs, d, options.dev_root)
                                                           : kernel_partitions(view.sysfs, d, options.dev_root);
        std::sort(d.partitions.begin(), d.partitions.end(),
                  [](const PartitionInfo& a, const PartitionInfo& b) { return a.number < b.number; });
        for (auto& p : d.partitions) {
            p.mount_points = mount_points(view.mounts, p.dev);
            p.swap_active = is_active_swap(p.path, p.dev, view);
            if (options.probe_filesystems) {
                Probed found = probe(p.path);
                p.fs_type = found.type;
                p.label = found.label;
                p.uuid = found.uuid;
            }
        }
        d.mount_points = mount_points(view.mounts, d.dev);
        d.holds_running_system = system_disk_holding(d.dev, view).has_value();
        for (const auto& reason : unsafe_block_target_reasons(d.path, d.dev, view)) add_refusal(d, reason);
        if (d.read_only) add_refusal(d, "the kernel marks it read-only");
    }
    // A filesystem on the whole disk: only looked for when there is no partition table the
    // kernel understood, so a stale signature under a table is not shown as the disk's.
    if (options.probe_filesystems && d.partitions.empty()) {
        Probed found = probe(d.path);
        d.fs_type = found.type;
        d.label = found.label;
        d.uuid = found.uuid;
    }
}

}  // namespace

std::string DiskInfo::identity() const {
    if (!wwid.empty()) return "wwid:" + wwid;
    if (!serial.empty()) return "serial:" + serial;
    return path;
}

DiskInfo describe_disk_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw Error(ExitCode::target_refused, path + ": no such disk image file");
    if (!S_ISREG(st.st_mode)) throw Error(ExitCode::target_refused, path + ": not a regular file");
    DiskInfo d;
    d.name = fs::path(path).stem().string();
    d.path = fs::absolute(path).lexically_normal().string();
    d.size_bytes = static_cast<std::uint64_t>(st.st_size);
    d.transport = Transport::file;
    d.read_only = ::access(path.c_str(), W_OK) != 0;
    return d;
}

std::vector<DiskInfo> discover_disks(const DiscoveryOptions& options, const SystemView& system) {
    SystemView view = system;
    view.sysfs = Sysfs(options.sysfs_root);
    std::error_code ec;
    std::string sys_root = fs::canonical(options.sysfs_root, ec).string();
    if (ec) sys_root.clear();

    std::vector<DiskInfo> disks;
    for (const auto& name : view.sysfs.block_names())
        if (auto d = scan_disk(view.sysfs, name, sys_root, options.dev_root)) disks.push_back(std::move(*d));
    collapse_multipath(disks, view.sysfs);
    refuse_unjoined_paths(disks);

    if (!options.only.empty()) {
        std::vector<DiskInfo> chosen;
        for (const auto& key : options.only)
            for (auto& d : disks_named(disks, key, view.sysfs, options.dev_root)) {
                bool seen = std::any_of(chosen.begin(), chosen.end(),
                                        [&](const DiskInfo& c) { return c.path == d.path && c.dev == d.dev; });
                if (!seen) chosen.push_back(std::move(d));
            }
        disks = std::move(chosen);
    }

    for (auto& d : disks) complete_disk(d, view, options);
    std::sort(disks.begin(), disks.end(), [](const DiskInfo& a, const DiskInfo& b) {
        return a.name != b.name ? natural_less(a.name, b.name) : a.path < b.path;
    });
    return disks;
}

DiskInfo find_disk(const std::string& name, const DiscoveryOptions& options, const SystemView& system) {
    DiscoveryOptions one = options;
    one.only = {name};
    std::vector<DiskInfo> found = discover_disks(one, system);
    if (found.size() > 1) {
        std::string list;
        for (const auto& d : found) list += (list.empty() ? "" : ", ") + d.name;
        // Usually paths to one LUN before multipath was started; cheap USB bridges can also
        // report one identifier for different sticks. Either way, guessing is not allowed.
        throw Error(ExitCode::target_refused, name + " names " + std::to_string(found.size()) + " disks (" + list +
                                                  "): paths to one LUN with no multipath map (start multipath and "
                                                  "name its map) or disks reporting the same identifier (name one "
                                                  "by its path)");
    }
    return found.front();
}

}  // namespace kura
