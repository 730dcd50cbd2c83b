#include "repo/device_repository.h"

#include "core/error.h"
#include "core/log.h"
#include "device/mount_table.h"
#include "device/probe.h"
#include "device/safety.h"

#include <blkid/blkid.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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
// in), for the message that asks which one: "sdb1 (usb, exfat, LABEL=backups)".
std::string candidate_partitions() {
    namespace fs = std::filesystem;
    SystemView system;
    std::vector<std::pair<bool, std::string>> found;  // (not usb, description)
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/sys/class/block", ec)) {
        std::string name = entry.path().filename().string();
        // Partitions, and whole devices formatted without a partition table (USB sticks do
        // that); a disk with a partition table has no filesystem type of its own.
        if (name.rfind("ram", 0) == 0 || name.rfind("zram", 0) == 0) continue;
        struct stat st {};
        std::string dev = "/dev/" + name;
        if (::stat(dev.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) continue;
        if (system_disk_holding(st.st_rdev, system)) continue;
        ProbeResult probe;
        try {
            probe = probe_filesystem(dev);
        } catch (const Error&) {
            continue;
        }
        if (probe.type.empty() || probe.type == "swap" || probe.type == "LVM2_member") continue;
        // The disk's device link runs through the USB bus for USB disks.
        std::string disk_link = fs::canonical(entry.path(), ec).parent_path().string();
        bool usb = disk_link.find("/usb") != std::string::npos;
        std::string text = name + " (" + (usb ? "usb, " : "") + probe.type;
        if (!probe.label.empty()) text += ", LABEL=" + probe.label;
        found.emplace_back(!usb, text + ")");
    }
    std::sort(found.begin(), found.end());
    std::string out;
    for (const auto& f : found) out += (out.empty() ? "" : ", ") + f.second;
    return out.empty() ? "none found" : out;
}

// dev:sdb1, dev:/dev/sdb1, dev:LABEL=x, dev:UUID=y -> /dev/...
std::string resolve_device(const std::string& spec) {
    if (spec.empty())
        throw Error(ExitCode::usage, "--repo dev: needs a partition: dev:sdb1, dev:LABEL=name or dev:UUID=uuid; "
                                     "candidates: " + candidate_partitions());
    auto eq = spec.find('=');
    if (eq != std::string::npos) {
        std::string tag = spec.substr(0, eq), value = spec.substr(eq + 1);
        if (tag != "LABEL" && tag != "UUID")
            throw Error(ExitCode::usage, "--repo dev:" + spec + ": only LABEL=... and UUID=... are understood");
        char* name = blkid_evaluate_tag(tag.c_str(), value.c_str(), nullptr);
        if (!name) throw Error(ExitCode::image_not_found, "--repo dev:" + spec + ": no partition has " + spec);
        std::string device(name);
        std::free(name);
        return device;
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

// The kernel filesystem that mounts what blkid found; empty when the kernel has none.
std::string kernel_type_for(const std::string& probed, const std::set<std::string>& offered) {
    std::vector<std::string> candidates;
    if (probed == "ext2" || probed == "ext3" || probed == "ext4")
        candidates = {probed, "ext4"};  // the ext4 driver mounts all three
    else if (probed == "ntfs")
        candidates = {"ntfs3"};
    else
        candidates = {probed};
    for (const auto& c : candidates)
        if (offered.count(c)) return c;
    return "";
}

// FAT, exFAT and NTFS keep no Unix permissions: their mount options give every file and
// directory its mode. Images hold password hashes and keys, so a partition kura mounts
// itself shows them to the owner only (0600 files, 0700 directories), like the modes
// LocalRepository sets where the filesystem keeps them.
constexpr const char* kOwnerOnlyMasks = "fmask=0177,dmask=0077";

const char* mount_options_for(const std::string& kernel_type) {
    if (kernel_type == "vfat" || kernel_type == "exfat" || kernel_type == "ntfs3") return kOwnerOnlyMasks;
    return nullptr;
}

std::string make_private_directory() {
    std::string base = "/tmp";
    if (::mkdir("/run/kura", 0700) == 0 || errno == EEXIST) base = "/run/kura";
    std::string templ = base + "/repo-XXXXXX";
    if (!::mkdtemp(templ.data()))
        throw_errno(ExitCode::io_error, "cannot create a mount point under " + base, errno);
    return templ;
}

void run_ntfs_3g(const std::string& device, const std::string& dir) {
    pid_t pid = ::fork();
    if (pid < 0) throw_errno(ExitCode::io_error, "cannot start ntfs-3g", errno);
    if (pid == 0) {
        ::execlp("ntfs-3g", "ntfs-3g", "-o", kOwnerOnlyMasks, device.c_str(), dir.c_str(),
                 static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        throw Error(ExitCode::io_error, "repo.ntfs_3g_missing", device + ": ntfs-3g could not mount it (ntfs-3g is not installed)",
                    {{"device", device}});
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error(ExitCode::io_error, "repo.ntfs_3g_failed", device + ": ntfs-3g could not mount it", {{"device", device}});
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
    std::string type = kernel_type_for(probe.type, kernel_filesystems());
    bool fuse_ntfs = type.empty() && probe.type == "ntfs";
    if (type.empty() && !fuse_ntfs)
        throw Error(ExitCode::source_unsupported, "--repo dev:" + spec + ": " + device_ + " holds " + probe.type +
                                                      ", which the running kernel cannot mount (not in "
                                                      "/proc/filesystems)");
    mount_point_ = make_private_directory();
    try {
        if (fuse_ntfs) {
            log::info("the kernel has no ntfs3; mounting " + device_ + " with ntfs-3g (FUSE)");
            run_ntfs_3g(device_, mount_point_);
        } else if (::mount(device_.c_str(), mount_point_.c_str(), type.c_str(), MS_NOATIME | MS_NODEV | MS_NOSUID,
                           mount_options_for(type)) != 0) {
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
