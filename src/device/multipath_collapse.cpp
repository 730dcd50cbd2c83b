#include "device/multipath_collapse.h"

#include "device/natural_order.h"

#include <algorithm>
#include <map>
#include <set>

namespace kura {

bool is_multipath_map(const Sysfs& sysfs, dev_t dev) { return sysfs.dm_uuid(dev).rfind("mpath-", 0) == 0; }

void add_refusal(DiskInfo& disk, const std::string& reason) {
    if (reason.empty()) return;
    disk.refusal += (disk.refusal.empty() ? "" : "; ") + reason;
}

void collapse_multipath(std::vector<DiskInfo>& disks, const Sysfs& sysfs) {
    std::set<std::string> members;
    for (auto& map : disks) {
        if (map.transport != Transport::multipath) continue;
        map.paths.clear();
        for (dev_t slave : sysfs.slaves(map.dev)) map.paths.push_back(sysfs.kernel_name(slave));
        std::sort(map.paths.begin(), map.paths.end(), natural_less);
        for (const auto& name : map.paths) {
            members.insert(name);
            auto path = std::find_if(disks.begin(), disks.end(), [&](const DiskInfo& d) { return d.name == name; });
            if (path == disks.end()) continue;
            if (map.path_transport == Transport::unknown) map.path_transport = path->transport;
            if (map.wwid.empty() && !path->wwid.empty()) {
                map.wwid = path->wwid;
                map.serial = path->serial;
                map.model = path->model;
                map.vendor = path->vendor;
                map.rotational = path->rotational;
            }
        }
        if (map.wwid.empty()) map.wwid = sysfs.dm_uuid(map.dev).substr(6);
    }
    disks.erase(std::remove_if(disks.begin(), disks.end(),
                               [&](const DiskInfo& d) {
                                   return d.transport != Transport::multipath && members.count(d.name);
                               }),
                disks.end());
}

void refuse_unjoined_paths(std::vector<DiskInfo>& disks) {
    std::map<std::string, std::vector<DiskInfo*>> by_wwid;
    for (auto& d : disks) {
        switch (d.transport) {
            case Transport::usb:
            case Transport::mmc:
            case Transport::loop:
            case Transport::file:
            case Transport::multipath: continue;
            default: break;
        }
        if (!d.wwid.empty()) by_wwid[d.wwid].push_back(&d);
    }
    for (auto& [wwid, group] : by_wwid) {
        if (group.size() < 2) continue;
        std::vector<std::string> names;
        for (const DiskInfo* d : group) names.push_back(d->name);
        std::sort(names.begin(), names.end(), natural_less);
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        for (DiskInfo* d : group)
            add_refusal(*d, "it is one of " + std::to_string(group.size()) + " paths to one LUN (" + list +
                                " share its WWID) and no multipath map joins them; start multipath and use its map");
    }
}

std::vector<PartitionInfo> multipath_partitions(const Sysfs& sysfs, const DiskInfo& map, const std::string& dev_root) {
    std::vector<PartitionInfo> out;
    const std::string uuid = sysfs.dm_uuid(map.dev);
    for (dev_t dev : sysfs.partition_maps(map.dev)) {
        PartitionInfo p;
        p.dev = dev;
        p.number = dm_partition_number(sysfs.dm_uuid(dev), uuid).value_or(0);
        p.name = sysfs.dm_name(dev);
        if (p.name.empty()) p.name = sysfs.kernel_name(dev);
        p.path = dev_root + "/mapper/" + p.name;
        p.size_bytes = sysfs.number(dev, "size").value_or(0) * 512;
        // The map's table holds the offset but sysfs does not show it; the kernel's own
        // partition of a path (sdb1) has the same start.
        for (const auto& path_name : map.paths) {
            auto path_dev = sysfs.dev_of(path_name);
            if (!path_dev) continue;
            for (dev_t part : sysfs.partitions(*path_dev))
                if (sysfs.number(part, "partition") == static_cast<std::uint64_t>(p.number)) {
                    p.start_bytes = sysfs.partition_start(part).value_or(0) * 512;
                    break;
                }
            if (p.start_bytes) break;
        }
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace kura
