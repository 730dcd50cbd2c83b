#include "repo/device_repository.h"

#include "core/error.h"
#include "core/log.h"
#include "device/mount_table.h"
#include "device/natural_order.h"
#include "device/probe.h"
#include "device/probed_block_devices.h"
#include "device/safety.h"
#include "fs/filesystem.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kura {
namespace {

constexpr const char* kPrefix = "dev:";

// Block devices that could hold a repository, USB disks first (what a field engineer plugs
// in), for the message that asks which one: "sdb1 (usb, exfat, LABEL=backups)". Partitions,
// and whole devices formatted without a partition table (USB sticks do that); a disk with a
// partition table has no filesystem type of its own.
std::string candidate_partitions(const std::vector<ProbedBlockDevice>& devices) {
    SystemView system;
    std::vector<std::pair<bool, std::string>> found;  // (not usb, description)
    for (const auto& d : devices) {
        if (system_disk_holding(d.rdev, system) || !repository_mount_for(d.probe.type)) continue;
        std::string text = d.name + " (" + (d.usb ? "usb, " : "") + d.probe.type;
        if (!d.probe.label.empty()) text += ", LABEL=" + d.probe.label;
        found.emplace_back(!d.usb, text + ")");
    }
    std::sort(found.begin(), found.end());
    std::string out;
    for (const auto& f : found) out += (out.empty() ? "" : ", ") + f.second;
    return out.empty() ? "none found" : out;
}

bool same_uuid(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// dev:LABEL=x, dev:UUID=y -> the one device that holds it now. Two holding it (a USB
// disk cloned from another, a restored disk beside its source) is refused: a save must not
// land on whichever the kernel listed first.
std::string find_by_tag(const std::string& spec, const std::string& tag, const std::string& value) {
    const std::vector<ProbedBlockDevice> devices = probe_block_devices();
    std::vector<const ProbedBlockDevice*> matches;
    for (const auto& d : devices)
        if (tag == "LABEL" ? d.probe.label == value : same_uuid(d.probe.uuid, value)) matches.push_back(&d);
    if (matches.empty())
        throw Error(ExitCode::image_not_found, "--repo dev:" + spec + ": no partition has " + spec +
                                                   "; candidates: " + candidate_partitions(devices));
    if (matches.size() > 1) {
        std::sort(matches.begin(), matches.end(),
                  [](const ProbedBlockDevice* a, const ProbedBlockDevice* b) { return natural_less(a->name, b->name); });
        std::string names;
        for (const auto* d : matches) names += (names.empty() ? "" : ", ") + d->name;
        throw Error(ExitCode::usage, "--repo dev:" + spec + ": " + std::to_string(matches.size()) +
                                         " partitions have " + spec + " (" + names +
                                         "); name the one to use, e.g. dev:" + matches.front()->name);
    }
    return matches.front()->path;
}

// dev:sdb1, dev:/dev/sdb1, dev:LABEL=x, dev:UUID=y -> /dev/...
std::string resolve_device(const std::string& spec) {
    if (spec.empty())
        throw Error(ExitCode::usage, "--repo dev: needs a partition: dev:sdb1, dev:LABEL=name or dev:UUID=uuid; "
                                     "candidates: " + candidate_partitions(probe_block_devices()));
    auto eq = spec.find('=');
    if (eq != std::string::npos) {
        std::string tag = spec.substr(0, eq), value = spec.substr(eq + 1);
        if (tag != "LABEL" && tag != "UUID")
            throw Error(ExitCode::usage, "--repo dev:" + spec + ": only LABEL=... and UUID=... are understood");
        return find_by_tag(spec, tag, value);
    }
    return spec.front() == '/' ? spec : "/dev/" + spec;
}

std::set<std::string> kernel_filesystems() {
    std::set<std::string> types;
    std::ifstream in("/proc/filesystems");
    std::string line;
    while (std::getline(in, line)) {
        auto tab = line.rfind('\t');
        types.insert(tab == std::string::npos ? line : line.substr(tab + 1));
    }
    return types;
}

std::string mountable_types() {
    std::string out;
    for (const auto& t : repository_filesystem_types()) out += (out.empty() ? "" : ", ") + t;
    return out;
}

// The kernel filesystem that mounts what blkid found; empty when the kernel has none.
std::string kernel_type_for(const RepositoryMount& how, const std::set<std::string>& offered) {
    for (const auto& c : how.kernel_types)
        if (offered.count(c)) return c;
    return "";
}

// FAT, exFAT and NTFS keep no Unix permissions: their mount options give every file and
// directory its mode. Images hold password hashes and keys, so a partition kura mounts
// itself shows them to the owner only (0600 files, 0700 directories), like the modes
// LocalRepository sets where the filesystem keeps them.
constexpr const char* kOwnerOnlyMasks = "fmask=0177,dmask=0077";

const char* mount_options_for(const RepositoryMount& how) {
    return how.unix_permissions ? nullptr : kOwnerOnlyMasks;
}

std::string make_private_directory() {
    std::string base = "/tmp";
    if (::mkdir("/run/kura", 0700) == 0 || errno == EEXIST) base = "/run/kura";
    std::string templ = base + "/repo-XXXXXX";
    if (!::mkdtemp(templ.data()))
        throw_errno(ExitCode::io_error, "cannot create a mount point under " + base, errno);
    return templ;
}

// A FUSE helper mounts like mount(8)'s helpers: `helper -o OPTIONS DEVICE DIR`.
void run_fuse_helper(const std::string& helper, const RepositoryMount& how, const std::string& device,
                     const std::string& dir) {
    // The messages' ids name the helper ("repo.ntfs_3g_missing"), as the menu's catalogs do.
    std::string id = "repo." + helper;
    std::replace(id.begin(), id.end(), '-', '_');
    const char* options = mount_options_for(how);
    pid_t pid = ::fork();
    if (pid < 0) throw_errno(ExitCode::io_error, "cannot start " + helper, errno);
    if (pid == 0) {
        if (options)
            ::execlp(helper.c_str(), helper.c_str(), "-o", options, device.c_str(), dir.c_str(),
                     static_cast<char*>(nullptr));
        else
            ::execlp(helper.c_str(), helper.c_str(), device.c_str(), dir.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        throw Error(ExitCode::io_error, id + "_missing",
                    device + ": " + helper + " could not mount it (" + helper + " is not installed)",
                    {{"device", device}});
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error(ExitCode::io_error, id + "_failed", device + ": " + helper + " could not mount it",
                    {{"device", device}});
}

}  // namespace

bool is_device_repository(const std::string& location) { return location.rfind(kPrefix, 0) == 0; }

PartitionMount::PartitionMount(const std::string& spec) : device_(resolve_device(spec)) {
    struct stat st {};
    if (::stat(device_.c_str(), &st) != 0)
        throw Error(ExitCode::image_not_found, "--repo dev:" + spec + ": " + device_ + " does not exist");
    if (!S_ISBLK(st.st_mode))
        throw Error(ExitCode::usage, "--repo dev:" + spec + ": " + device_ + " is not a block device");

    SystemView system;
    if (auto disk = system_disk_holding(st.st_rdev, system))
        throw Error(ExitCode::target_refused, "--repo dev:" + spec + ": " + device_ + " is on " + *disk +
                                                  ", the disk the running system lives on; give a directory "
                                                  "there instead of letting kura mount it");
    if (auto mounts = system.mounts.on_device(st.st_rdev); !mounts.empty()) {
        mount_point_ = mounts.front().mount_point;
        log::info(device_ + " is already mounted at " + mount_point_ + "; using it there");
        return;
    }

    ProbeResult probe = probe_filesystem(device_);
    if (probe.type.empty())
        throw Error(ExitCode::source_unsupported, "--repo dev:" + spec + ": " + device_ + " holds no filesystem");
    // Which filesystems can hold a repository, and how each is mounted, is the filesystem
    // table's (FilesystemReader::repository_mount in src/fs/).
    std::optional<RepositoryMount> how = repository_mount_for(probe.type);
    if (!how)
        throw Error(ExitCode::source_unsupported, "--repo dev:" + spec + ": " + device_ + " holds " + probe.type +
                                                      ", which kura does not mount for a repository (it mounts " +
                                                      mountable_types() + "); mount it yourself and give the "
                                                      "directory as --repo");
    std::string type = kernel_type_for(*how, kernel_filesystems());
    bool fuse = type.empty() && !how->fuse_helper.empty();
    if (type.empty() && !fuse)
        throw Error(ExitCode::source_unsupported, "--repo dev:" + spec + ": " + device_ + " holds " + probe.type +
                                                      ", which the running kernel cannot mount (not in "
                                                      "/proc/filesystems)");
    mount_point_ = make_private_directory();
    try {
        if (fuse) {
            log::info("the kernel has no " + (how->kernel_types.empty() ? probe.type : how->kernel_types.front()) +
                      "; mounting " + device_ + " with " + how->fuse_helper + " (FUSE)");
            run_fuse_helper(how->fuse_helper, *how, device_, mount_point_);
        } else if (::mount(device_.c_str(), mount_point_.c_str(), type.c_str(), MS_NOATIME | MS_NODEV | MS_NOSUID,
                           mount_options_for(*how)) != 0) {
            throw_errno(ExitCode::io_error, device_ + ": mounting it as " + type + " failed", errno);
        }
    } catch (...) {
        ::rmdir(mount_point_.c_str());
        throw;
    }
    mounted_by_us_ = true;
    log::info("mounted " + device_ + " (" + probe.type + ") at " + mount_point_);
}

PartitionMount::~PartitionMount() {
    if (!mounted_by_us_) return;
    ::sync();  // every image file is already fsynced; this covers directory metadata of other tools
    if (::umount2(mount_point_.c_str(), 0) != 0) {
        // Something (a shell, a file manager) still uses it: detach now, the kernel finishes later.
        log::warn(mount_point_ + ": unmount failed (" + std::string(std::strerror(errno)) +
                  "); detaching it lazily");
        ::umount2(mount_point_.c_str(), MNT_DETACH);
    }
    ::rmdir(mount_point_.c_str());
}

DeviceRepository::DeviceRepository(const std::string& spec)
    : PartitionMount(spec), LocalRepository(mount_point()), spec_(spec) {}

std::string DeviceRepository::describe() const { return std::string(kPrefix) + spec_ + " (" + device() + ")"; }

}  // namespace kura
