#include "ops/restore_md.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/device.h"
#include "device/disk_inventory.h"
#include "device/partition_name.h"
#include "image/clonezilla_md.h"
#include "ops/target_needs.h"

#include <algorithm>
#include <sys/stat.h>

namespace kura {
namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// The md driver is there when /proc/mdstat is; the live system loads md_mod on demand.
bool md_driver_present() {
    if (exists("/proc/mdstat")) return true;
    run_tool({"modprobe", "md_mod"}, ExitCode::target_refused);
    return exists("/proc/mdstat");
}

bool have_mdadm() {
    for (const char* dir : {"/sbin/", "/usr/sbin/", "/bin/", "/usr/bin/"})
        if (exists(std::string(dir) + "mdadm")) return true;
    return false;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
    return out;
}

const ImagePart& part_named(const OpenedImage& image, const std::string& name) {
    for (const auto& p : image.parts())
        if (p.files.part == name) return p;
    throw Error(ExitCode::image_corrupt, "image " + image.name() + " lists " + name + " but holds no data for it");
}

// The saved member "sda1" on its target: the target disk's partition with that number.
std::string target_member(const std::vector<MdTargetDisk>& targets, const std::string& member) {
    for (const auto& t : targets) {
        auto number = partition_number(t.saved_name, member);
        if (!number) continue;
        DiskInfo now = find_disk(t.target_path);
        for (const auto& p : now.partitions)
            if (p.number == *number) return p.path;
        throw Error(ExitCode::io_error, t.target_path + ": the kernel shows no partition " + std::to_string(*number) +
                                            " for md member " + member + " after the new table was written");
    }
    throw Error(ExitCode::image_corrupt, "md member " + member + " is on none of the image's disks");
}

std::vector<std::string> create_argv(const ClonezillaMdConfig& c, const std::vector<std::string>& members) {
    std::vector<std::string> argv{"mdadm", "--create", "/dev/" + c.device, "--run", "--force", "--assume-clean",
                                  "--metadata=" + c.metadata, "--level=" + c.level,
                                  "--raid-devices=" + std::to_string(c.devices), "--uuid=" + c.uuid};
    if (members.size() > c.devices) argv.push_back("--spare-devices=" + std::to_string(members.size() - c.devices));
    if (c.chunk_kib) argv.push_back("--chunk=" + std::to_string(*c.chunk_kib));
    if (!c.layout.empty()) argv.push_back("--layout=" + c.layout);
    // Only 1.1 and 1.2 keep their data after the superblock at an offset of their choosing.
    if (c.data_offset_sectors && (c.metadata == "1.1" || c.metadata == "1.2"))
        argv.push_back("--data-offset=" + std::to_string(*c.data_offset_sectors * 512 / 1024) + "K");
    if (!c.name.empty() && c.metadata != "0.90") {
        // mdadm writes "homehost:name" itself; given apart, neither part is re-prefixed with
        // this live system's host name.
        const auto colon = c.name.find(':');
        if (colon != std::string::npos) {
            argv.push_back("--homehost=" + c.name.substr(0, colon));
            argv.push_back("--name=" + c.name.substr(colon + 1));
        } else {
            argv.push_back("--homehost=<none>");
            argv.push_back("--name=" + c.name);
        }
    }
    argv.insert(argv.end(), members.begin(), members.end());
    return argv;
}

}  // namespace

std::vector<std::string> md_array_parts(const OpenedImage& image) {
    std::vector<std::string> out;
    for (const auto& part : image.part_names()) {
        bool on_disk = std::any_of(image.saved_disks().begin(), image.saved_disks().end(), [&](const SavedDisk& d) {
            return (d.whole_disk && d.name == part) || (!d.whole_disk && partition_number(d.name, part));
        });
        if (!on_disk) out.push_back(part);  // OpenedImage admits it only with its mdN-config.env
    }
    return out;
}

std::unique_ptr<MdRestore> MdRestore::plan(const OpenedImage& image, const std::vector<MdTargetDisk>& targets,
                                           Plan& plan) {
    std::vector<std::string> arrays = md_array_parts(image);
    if (arrays.empty()) return nullptr;
    const std::string what = "image " + image.name() + " holds md RAID array " + joined(arrays) +
                             " (its filesystem saved once, its members recreated with mdadm)";
    if (!md_driver_present())
        throw Error(ExitCode::target_refused,
                    what + ": recreating it needs the kernel's md driver, which this system lacks (no /proc/mdstat, "
                           "`modprobe md_mod` failed); restore it from kura's live system. Nothing was written");
    if (!have_mdadm())
        throw Error(ExitCode::target_refused, what + ": mdadm is not installed here; nothing was written");
    for (const auto& t : targets)
        if (t.file)
            throw Error(ExitCode::target_refused,
                        what + ": its members must be partitions of disks, and " + t.target_path +
                            " is an image file; nothing was written");
    for (const auto& a : arrays)
        if (exists("/sys/block/" + a))
            throw Error(ExitCode::target_refused, what + ": /dev/" + a + " is already assembled on this system "
                                                        "(mdadm --stop /dev/" + a + " first); nothing was written");
    for (const auto& a : arrays) {
        const ImagePart& part = part_named(image, a);
        plan.items.push_back({a, "/dev/" + a + " (recreated with mdadm on the restored members)", part.files.fs_type,
                              partition_needed_bytes(part, image.manifest(), 0),
                              partition_data_bytes(part, image.manifest(), 0)});
    }
    // The members of a RAID1 have no data of their own: say what becomes of them instead of
    // "left empty".
    for (const auto& d : image.saved_disks())
        for (const auto& entry : d.table.partitions) {
            const std::string name = partition_name(d.name, entry.number);
            if (!image.has_file(md_examine_file_name(name))) continue;
            for (auto& item : plan.items)
                if (item.name == name && item.fs_type == "(left empty)") item.fs_type = "md member (mdadm --create)";
            plan.warnings.erase(std::remove_if(plan.warnings.begin(), plan.warnings.end(),
                                               [&](const Message& w) {
                                                   return w.id == "plan.partition_left_empty" && !w.args.empty() &&
                                                          w.args.front().second == name;
                                               }),
                                plan.warnings.end());
        }
    auto restore = std::make_unique<MdRestore>();
    restore->targets_ = targets;
    restore->arrays_ = std::move(arrays);
    return restore;
}

void MdRestore::write(const Repository& repo, const OpenedImage& image, Progress& progress, const CancelToken& cancel,
                      RestoreSummary& summary) {
    const std::vector<ClonezillaMdConfig> configs = read_image_md_arrays(repo, image.name());
    for (const auto& array : arrays_) {
        auto c = std::find_if(configs.begin(), configs.end(), [&](const auto& x) { return x.device == array; });
        if (c == configs.end())
            throw Error(ExitCode::image_corrupt, "image " + image.name() + ": " + md_config_file_name(array) + " is missing");
        std::vector<std::string> members;
        for (const auto& m : c->members) {
            if (m == "missing") {
                members.push_back("missing");
                continue;
            }
            members.push_back(target_member(targets_, m));
            // Whatever the new partition held before (an old array's superblock at its end)
            // must not make mdadm or the kernel see a second array.
            run_tool({"wipefs", "-a", members.back()}, ExitCode::io_error);
            run_tool({"mdadm", "--zero-superblock", "--force", members.back()}, ExitCode::io_error);
        }
        log::info("recreating /dev/" + array + " (" + c->level + ", " + c->metadata + ", UUID " + c->uuid + ") on " +
                  joined(members));
        run_tool_checked(create_argv(*c, members), ExitCode::io_error);
        {
            Device device = Device::open("/dev/" + array, Access::read_write, Role::target);
            restore_onto(repo, image, part_named(image, array), device, std::nullopt, progress, cancel, summary);
        }
        run_tool_checked({"mdadm", "--stop", "/dev/" + array}, ExitCode::io_error);
    }
}

}  // namespace kura
