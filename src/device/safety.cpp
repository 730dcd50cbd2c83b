#include "device/safety.h"

#include "core/error.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace kura {
namespace {

// Mount points whose disks make up "the running system": never offered as targets.
const char* const kSystemMounts[] = {"/", "/boot", "/boot/efi", "/usr", "/var",
                                     "/run/live/medium", "/lib/live/mount/medium", "/cdrom"};

// The whole disks beneath `dev`: through device-mapper/RAID slaves and partitions down to
// the physical disks. With `through_loops`, a loop device counts as the disk its backing
// file lives on: that is how a live system's root (a squashfs on a loop) leads to the boot
// medium. A restore target that is a loop device is not followed that way: writing to it
// writes a file, which never touches the raw disk underneath.
void collect_disks(dev_t dev, const SystemView& sys, bool through_loops, std::set<dev_t>& out, int depth = 0) {
    if (depth > 16) return;
    auto slaves = sys.sysfs.slaves(dev);
    if (!slaves.empty()) {
        for (dev_t s : slaves) collect_disks(s, sys, through_loops, out, depth + 1);
        return;
    }
    if (auto backing = sys.sysfs.loop_backing_file(dev); backing && through_loops) {
        if (const MountEntry* m = sys.mounts.containing(*backing))
            if (m->device != dev) collect_disks(m->device, sys, through_loops, out, depth + 1);
        return;
    }
    if (auto parent = sys.sysfs.parent_disk(dev)) {
        out.insert(*parent);
        return;
    }
    out.insert(dev);
}

std::set<dev_t> system_disks(const SystemView& sys) {
    std::set<dev_t> disks;
    for (const char* mp : kSystemMounts)
        for (const auto& e : sys.mounts.entries())
            if (e.mount_point == mp && major(e.device) != 0) collect_disks(e.device, sys, true, disks);
    return disks;
}

std::string describe_mounts(const std::vector<MountEntry>& mounts) {
    std::string s;
    for (const auto& m : mounts) s += (s.empty() ? "" : ", ") + m.mount_point;
    return s;
}

const char* const kHeldBy = " (LVM, RAID, multipath or another mapping)";

// A partition as safety sees it: a kernel partition (sda1) or a kpartx map of a multipath
// disk (mpatha1), with the name an operator knows it by.
struct PartView {
    dev_t dev;
    std::string name;
    std::string path;
};

// Partition nodes sit beside the disk's node when `disk_path` is the kernel's name for it
// (/dev/sda -> /dev/sda1, /dev/mapper/mpatha -> /dev/mapper/mpatha1, or a test's device
// directory); for any other spelling (a by-id link) the standard directories.
std::vector<PartView> partitions_of(const std::string& disk_path, dev_t disk, const SystemView& sys) {
    namespace fs = std::filesystem;
    std::vector<PartView> out;
    const fs::path given(disk_path);
    const std::string kernel_dir =
        given.filename() == sys.sysfs.kernel_name(disk) ? given.parent_path().string() : std::string("/dev");
    for (dev_t part : sys.sysfs.partitions(disk)) {
        std::string name = sys.sysfs.kernel_name(part);
        out.push_back({part, name, kernel_dir + "/" + name});
    }
    const std::string map_dir = !sys.sysfs.dm_name(disk).empty() && given.filename() == sys.sysfs.dm_name(disk)
                                    ? given.parent_path().string()
                                    : std::string("/dev/mapper");
    for (dev_t map : sys.sysfs.partition_maps(disk)) {
        std::string name = sys.sysfs.dm_name(map);
        if (name.empty()) name = sys.sysfs.kernel_name(map);
        out.push_back({map, name, map_dir + "/" + name});
    }
    return out;
}

}  // namespace

bool is_active_swap(const std::string& path, dev_t rdev, const SystemView& sys) {
    std::ifstream in(sys.swaps_path);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string name;
        f >> name;
        struct stat st {};
        if (name == path || (::stat(name.c_str(), &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == rdev))
            return true;
    }
    return false;
}

std::vector<std::string> unsafe_block_target_reasons(const std::string& path, dev_t rdev, const SystemView& sys) {
    std::vector<std::string> reasons;
    std::vector<PartView> parts = partitions_of(path, rdev, sys);
    if (auto m = sys.mounts.on_device(rdev); !m.empty()) reasons.push_back("it is mounted at " + describe_mounts(m));
    for (const auto& part : parts)
        if (auto m = sys.mounts.on_device(part.dev); !m.empty())
            reasons.push_back("its partition " + part.name + " is mounted at " + describe_mounts(m));
    if (is_active_swap(path, rdev, sys)) reasons.push_back("it is in use as swap");
    for (const auto& part : parts)
        if (is_active_swap(part.path, part.dev, sys))
            reasons.push_back("its partition " + part.name + " is in use as swap");

    // Holders that are the disk's own partition maps are checked as partitions above.
    std::vector<std::string> holders = sys.sysfs.holders(rdev);
    for (dev_t map : sys.sysfs.partition_maps(rdev)) {
        std::string map_name = sys.sysfs.kernel_name(map);
        holders.erase(std::remove(holders.begin(), holders.end(), map_name), holders.end());
    }
    if (!holders.empty()) reasons.push_back("it is in use by " + holders.front() + kHeldBy);
    // Writing the disk under an active LVM volume or RAID member on one of its partitions
    // destroys them as surely as writing the disk under a mount.
    for (const auto& part : parts)
        if (auto h = sys.sysfs.holders(part.dev); !h.empty())
            reasons.push_back("its partition " + part.name + " is in use by " + h.front() + kHeldBy);

    std::set<dev_t> own;
    collect_disks(rdev, sys, false, own);
    std::set<dev_t> system = system_disks(sys);
    for (dev_t d : own)
        if (system.count(d))
            reasons.push_back("it is on " + sys.sysfs.kernel_name(d) + ", the disk the running system lives on");
    return reasons;
}

std::vector<std::string> unsafe_file_target_reasons(const std::string& path, const SystemView& sys) {
    std::vector<std::string> reasons;
    std::error_code ec;
    std::string real = std::filesystem::canonical(path, ec).string();
    if (ec) return reasons;  // opening it will report the problem
    for (const auto& [loop, backing] : sys.sysfs.loop_backing_files())
        if (backing == real)
            reasons.push_back("it is attached to /dev/" + loop + "; detach it (losetup -d) or restore onto /dev/" +
                              loop + " instead");
    return reasons;
}

std::optional<std::string> system_disk_holding(dev_t dev, const SystemView& system) {
    std::set<dev_t> own;
    collect_disks(dev, system, false, own);
    std::set<dev_t> running = system_disks(system);
    for (dev_t d : own)
        if (running.count(d)) return system.sysfs.kernel_name(d);
    return std::nullopt;
}

void refuse_unsafe_target(const std::string& path, const SystemView& system) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw Error(ExitCode::target_refused, path + ": no such device or file");
    if (S_ISBLK(st.st_mode)) {
        if (auto reasons = unsafe_block_target_reasons(path, st.st_rdev, system); !reasons.empty())
            throw Error(ExitCode::target_refused, path + ": " + reasons.front() + "; refusing to write to it");
    } else if (S_ISREG(st.st_mode)) {
        if (auto reasons = unsafe_file_target_reasons(path, system); !reasons.empty())
            throw Error(ExitCode::target_refused, path + ": " + reasons.front());
    } else
        throw Error(ExitCode::target_refused, path + ": not a block device or a regular file");
}

namespace {

// Every mount of the filesystem on `path`: of the block device itself, or - for a disk
// image file - of a loop device over it (`through` then names that loop device).
void for_each_mount_of(const std::string& path, const SystemView& system,
                       const std::function<void(const std::string& through, const MountEntry&)>& visit) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;  // opening it will report the problem
    if (S_ISBLK(st.st_mode)) {
        for (const auto& m : system.mounts.on_device(st.st_rdev)) visit("", m);
        return;
    }
    std::error_code ec;
    std::string real = std::filesystem::canonical(path, ec).string();
    for (const auto& [loop, backing] : system.sysfs.loop_backing_files()) {
        if (ec || backing != real) continue;
        struct stat loop_st {};
        if (::stat(("/dev/" + loop).c_str(), &loop_st) != 0) continue;
        for (const auto& m : system.mounts.on_device(loop_st.st_rdev)) visit(" (through /dev/" + loop + ")", m);
    }
}

}  // namespace

void refuse_busy_source(const std::string& path, const SystemView& system) {
    for_each_mount_of(path, system, [&](const std::string& through, const MountEntry& m) {
        if (!m.read_only)
            throw Error(ExitCode::source_unsupported,
                        path + ": it is mounted read-write at " + m.mount_point + through +
                            "; unmount it (or remount it read-only) so the image is consistent");
    });
}

std::vector<std::string> source_mount_points(const std::string& path, const SystemView& system) {
    std::vector<std::string> points;
    for_each_mount_of(path, system,
                      [&](const std::string& through, const MountEntry& m) { points.push_back(m.mount_point + through); });
    return points;
}

}  // namespace kura
