#include "device/disk_lookup.h"

#include "core/error.h"
#include "device/disk_identity.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sys/stat.h>

namespace kura {
namespace fs = std::filesystem;
namespace {

bool same_ignoring_case(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

[[noreturn]] void no_such_disk(const std::string& key) {
    throw Error(ExitCode::target_refused,
                "no disk named " + key + " (it may have been removed); kura list-disks shows the disks there are");
}

[[noreturn]] void is_a_partition(const std::string& key, dev_t part, const Sysfs& sysfs) {
    std::string disk;
    if (auto parent = sysfs.parent_disk(part)) disk = sysfs.kernel_name(*parent);
    throw Error(ExitCode::target_refused, key + " is a partition" + (disk.empty() ? "" : " of " + disk) +
                                              ", not a whole disk");
}

bool answers_to_name(const DiskInfo& d, const std::string& name) {
    return d.name == name || fs::path(d.path).filename() == name ||
           std::find(d.paths.begin(), d.paths.end(), name) != d.paths.end();
}

}  // namespace

std::vector<DiskInfo> disks_named(const std::vector<DiskInfo>& disks, const std::string& key, const Sysfs& sysfs,
                                  const std::string& dev_root) {
    std::vector<DiskInfo> out;
    auto keep_if = [&](auto&& match) {
        for (const auto& d : disks)
            if (match(d)) out.push_back(d);
    };

    for (const char* kind : {"wwid:", "serial:"}) {
        if (key.rfind(kind, 0) != 0) continue;
        std::string wanted = normalize_identifier(key.substr(std::string(kind).size()));
        bool wwid = kind[0] == 'w';
        if (!wanted.empty()) keep_if([&](const DiskInfo& d) { return same_ignoring_case(wwid ? d.wwid : d.serial, wanted); });
        if (out.empty()) no_such_disk(key);
        return out;
    }

    if (key.find('/') != std::string::npos) {
        struct stat st {};
        if (::stat(key.c_str(), &st) == 0) {
            if (S_ISREG(st.st_mode)) return {describe_disk_file(key)};
            if (!S_ISBLK(st.st_mode))
                throw Error(ExitCode::target_refused, key + ": not a block device or a disk image file");
            // By device number: a by-id symlink, a /dev/mapper node and a renamed node all
            // lead to the same disk. A multipath path leads to its map.
            std::string kernel = sysfs.kernel_name(st.st_rdev);
            keep_if([&](const DiskInfo& d) {
                return d.dev == st.st_rdev ||
                       (!kernel.empty() && std::find(d.paths.begin(), d.paths.end(), kernel) != d.paths.end());
            });
            if (out.empty() && sysfs.is_partition(st.st_rdev)) is_a_partition(key, st.st_rdev, sysfs);
            if (out.empty()) no_such_disk(key);
            return out;
        }
        // No such node: a disk that vanished, or a test's fake tree whose /dev does not
        // exist. Names under the device root still mean the kernel names.
        const std::string prefix = dev_root + "/";
        if (key.rfind(prefix, 0) == 0) {
            std::string rest = key.substr(prefix.size());
            keep_if([&](const DiskInfo& d) { return d.path == key || answers_to_name(d, rest); });
            if (out.empty())
                if (auto dev = sysfs.dev_of(rest); dev && sysfs.is_partition(*dev)) is_a_partition(key, *dev, sysfs);
        }
        if (out.empty()) no_such_disk(key);
        return out;
    }

    keep_if([&](const DiskInfo& d) { return answers_to_name(d, key); });
    if (out.empty())
        if (auto dev = sysfs.dev_of(key); dev && sysfs.is_partition(*dev)) is_a_partition(key, *dev, sysfs);
    if (out.empty()) no_such_disk(key);
    return out;
}

}  // namespace kura
