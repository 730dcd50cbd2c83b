// restoredisk's targets: one disk per disk of a savedisk image (kura's or Clonezilla's) -
// the partition table (grown or relocated to fit the target), the boot code and the gap
// after the table, then every partition's data, swap recreated with its UUID and label -
// so the machine boots as before. Everything that can be checked without writing is
// checked when the targets are planned: sizes, sector sizes, the targets' safety.
#include "ops/restore_targets.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "core/units.h"
#include "device/device.h"
#include "device/loop_window.h"
#include "device/partition_name.h"
#include "device/safety.h"
#include "fs/filesystem.h"
#include "ops/opened_image.h"
#include "ops/restore_md.h"
#include "ops/restore_volumes.h"
#include "ops/target_needs.h"
#include "pipeline/partition_restore.h"
#include "ptable/partition_table.h"

#include <map>
#include <memory>
#include <set>
#include <sys/stat.h>

namespace kura {
namespace {

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// One saved disk and where it goes.
struct DiskJob {
    const SavedDisk* saved = nullptr;
    DiskInfo target;
    bool file = false;
    PartitionTable table;                       // as it will be written (fitted)
    std::map<int, const ImagePart*> images;     // partition number -> its data in the image
    const ImagePart* whole = nullptr;           // a whole-disk filesystem's data
};

DiskInfo describe_target(const std::string& path, const DiscoveryOptions& discovery, const SystemView& system) {
    if (is_regular_file(path)) {
        refuse_unsafe_target(path, system);
        return describe_disk_file(path);
    }
    DiskInfo info = find_disk(path, discovery, system);
    if (!info.refusal.empty())
        throw Error(ExitCode::target_refused, info.path + " cannot be a restore target: " + info.refusal);
    refuse_unsafe_target(info.path, system);
    return info;
}

void plan_disk(DiskJob& job, Plan& plan, const OpenedImage& image, bool grow,
               std::map<std::string, PvTargetPlan>& pv_targets) {
    const std::optional<Manifest>& manifest = image.manifest();
    const SavedDisk& saved = *job.saved;
    const std::string& target = job.target.path;
    if (saved.whole_disk) {
        std::uint64_t need = target_room_bytes(*job.whole, manifest, saved.bytes, job.target.size_bytes, target);
        plan.items.push_back(
            {saved.name, target, job.whole->files.fs_type, need, partition_data_bytes(*job.whole, manifest, saved.bytes)});
        return;
    }
    const std::uint64_t target_sectors = job.target.size_bytes / job.target.logical_sector;
    try {
        job.table = fit_table(saved.table, target_sectors, job.target.logical_sector, grow);
    } catch (const Error& e) {
        throw Error(e.code(), target + " cannot take disk " + saved.name + " of image: " + e.what());
    }
    const std::uint64_t ss = job.table.sector_size;
    plan.items.push_back({saved.name, target + " (" + table_kind_name(job.table.kind) + ")", "disk",
                          job.target.size_bytes, 0});
    if (saved.bytes > 0 && job.target.size_bytes > saved.bytes && !grow)
        plan.warnings.push_back({"plan.target_larger_disk",
                                 target + " is larger than the saved disk; the space after the last partition "
                                          "stays free (--grow extends the last partition into it)",
                                 {{"target", target}}});
    for (const auto& entry : job.table.partitions) {
        std::string name = partition_name(saved.name, entry.number);
        std::string where = job.file ? target + " partition " + std::to_string(entry.number)
                                     : "/dev/" + partition_name(job.target.name, entry.number);
        PlanItem item{name, where, "", entry.size * ss, 0};
        if (auto it = job.images.find(entry.number); it != job.images.end()) {
            const ImagePart& part = *it->second;
            target_room_bytes(part, manifest, entry.size * ss, entry.size * ss, "its place on " + target);
            item.fs_type = part.files.fs_type;
            item.used_bytes = partition_data_bytes(part, manifest, entry.size * ss);
        } else if (image.is_physical_volume(name)) {
            item.fs_type = "LVM2_member";
            pv_targets[name] = {where, entry.size * ss};
        } else if (saved.swaps.count(entry.number)) {
            item.fs_type = "swap";
        } else if (entry.is_extended()) {
            item.fs_type = "extended";
        } else {
            item.fs_type = "(left empty)";
            plan.warnings.push_back({"plan.partition_left_empty",
                                     name + ": the image holds no data for it; it is created empty", {{"partition", name}}});
        }
        plan.items.push_back(item);
    }
}

void write_boot_area(Device& target, const SavedDisk& saved, const PartitionTable& table) {
    // MBR: the 446 bytes of boot code before the table. GPT: the protective MBR's 440
    // bytes of boot code (BIOS GRUB on GPT keeps its first stage there).
    std::size_t code = table.kind == TableKind::gpt ? 440 : 446;
    if (saved.mbr.size() >= code) target.write_at(saved.mbr.data(), code, 0);
    else log::warn(saved.name + ": the image holds no boot code (" + saved.name + "-mbr); the disk's is left empty");
    if (!saved.gap.empty()) {
        std::uint64_t from = saved.gap_start_sector * table.sector_size;
        std::uint64_t room = table.first_partition_start() * table.sector_size;
        std::uint64_t length = std::min<std::uint64_t>(saved.gap.size(), room > from ? room - from : 0);
        if (length > 0) target.write_at(saved.gap.data(), length, from);
    }
}

void grow_filesystem(const std::string& path, const std::string& fs_type) {
    // How a filesystem grows is its own (FilesystemReader::grow in src/fs/).
    const FilesystemReader* fs = filesystem_for(fs_type);
    if (!fs || !fs->grows()) {
        log::warn(path + ": " + fs_type + " is left at its saved size inside the grown partition");
        return;
    }
    log::info("growing the " + fs_type + " filesystem on " + path + " to its partition");
    fs->grow(path);
}

// Where each partition of a restored disk is written: its device node after the kernel
// re-read the table, or a loop window into an image file.
class PartitionAccess {
public:
    PartitionAccess(const DiskJob& job, const DiscoveryOptions& discovery) : job_(job) {
        if (!job.file) current_ = find_disk(job.target.path, discovery);
    }
    std::string path_of(const PartitionEntry& entry) {
        if (job_.file) {
            const std::uint64_t ss = job_.table.sector_size;
            windows_.push_back(std::make_unique<LoopWindow>(job_.target.path, entry.start * ss, entry.size * ss,
                                                            Access::read_write, Role::target));
            return windows_.back()->path();
        }
        const std::uint64_t ss = job_.table.sector_size;
        for (const auto& p : current_.partitions)
            if (p.number == entry.number) {
                // Never write through a partition device that is not exactly the new one.
                if (p.start_bytes != entry.start * ss || p.size_bytes != entry.size * ss)
                    throw Error(ExitCode::io_error,
                                p.path + ": after the new table was written the kernel still has this partition "
                                         "at byte " + std::to_string(p.start_bytes) + " with " +
                                    std::to_string(p.size_bytes) + " bytes instead of byte " +
                                    std::to_string(entry.start * ss) + " with " + std::to_string(entry.size * ss) +
                                    "; nothing was written to it");
                return p.path;
            }
        throw Error(ExitCode::io_error, job_.target.path + ": the kernel shows no partition " +
                                            std::to_string(entry.number) + " after the new table was written");
    }

private:
    const DiskJob& job_;
    DiskInfo current_;
    std::vector<std::unique_ptr<LoopWindow>> windows_;
};

class DiskTargets : public RestoreTargets {
public:
    DiskTargets(std::vector<DiskJob> jobs, bool grow, std::string grow_lv, DiscoveryOptions discovery,
                std::unique_ptr<MdRestore> md)
        : jobs_(std::move(jobs)), grow_(grow), grow_lv_(std::move(grow_lv)), discovery_(std::move(discovery)),
          md_(std::move(md)) {}

    void write(const Repository& repo, const OpenedImage& image, Progress& progress, const CancelToken& cancel,
               RestoreSummary& summary) override {
        for (const auto& job : jobs_) write_disk(repo, image, job, progress, cancel, summary);
        // After every disk's table: a volume group may span disks.
        if (!pv_paths_.empty())
            restore_volume_groups(repo, image, pv_paths_, grown_pvs_, grow_lv_, progress, cancel, summary);
        if (md_) md_->write(repo, image, progress, cancel, summary);  // arrays over the restored partitions
    }

private:
    void write_disk(const Repository& repo, const OpenedImage& image, const DiskJob& job, Progress& progress,
                    const CancelToken& cancel, RestoreSummary& summary) {
        const SavedDisk& saved = *job.saved;
        if (saved.whole_disk) {
            Device device = Device::open(job.target.path, Access::read_write, Role::target);
            restore_onto(repo, image, *job.whole, device, std::nullopt, progress, cancel, summary);
            return;
        }
        {
            Device target = Device::open(job.target.path, Access::read_write, Role::target);
            log::info("writing the " + table_kind_name(job.table.kind) + " partition table of " + saved.name +
                      " onto " + job.target.path);
            write_partition_table(target, job.table);
            write_boot_area(target, saved, job.table);
            target.sync();
            reread_partitions(target, job.table);
        }  // closed: the partitions are opened exclusively next, which the kernel refuses while the disk is
        accesses_.push_back(std::make_unique<PartitionAccess>(job, discovery_));
        PartitionAccess& access = *accesses_.back();
        const std::uint64_t ss = job.table.sector_size;
        // The partition that ends last is the one --grow extended.
        const PartitionEntry* last = nullptr;
        for (const auto& e : job.table.partitions)
            if (!e.is_extended() && (!last || e.end() > last->end())) last = &e;
        for (const auto& entry : job.table.partitions) {
            if (auto it = job.images.find(entry.number); it != job.images.end()) {
                std::string path = access.path_of(entry);
                {
                    Device device = Device::open(path, Access::read_write, Role::target);
                    restore_onto(repo, image, *it->second, device, entry.start * ss / 512, progress, cancel,
                                 summary);
                }  // closed: resize2fs wants the partition to itself
                const PartitionEntry* before = saved.table.find(entry.number);
                if (grow_ && last == &entry && before && entry.size > before->size)
                    grow_filesystem(path, it->second->files.fs_type);
            } else if (std::string name = partition_name(saved.name, entry.number); image.is_physical_volume(name)) {
                pv_paths_[name] = access.path_of(entry);
                const PartitionEntry* before = saved.table.find(entry.number);
                if (grow_ && last == &entry && before && entry.size > before->size) grown_pvs_.insert(name);
            } else if (auto swap = saved.swaps.find(entry.number); swap != saved.swaps.end()) {
                std::string path = access.path_of(entry);
                log::info("recreating swap on " + path + " (UUID " + swap->second.uuid + ")");
                recreate_swap(path, swap->second);
            }
        }
    }

    std::vector<DiskJob> jobs_;
    bool grow_;
    std::string grow_lv_;
    DiscoveryOptions discovery_;
    // Kept until the volume groups are restored: their PVs may be loop windows.
    std::vector<std::unique_ptr<PartitionAccess>> accesses_;
    std::map<std::string, std::string> pv_paths_;
    std::set<std::string> grown_pvs_;
    std::unique_ptr<MdRestore> md_;
};

}  // namespace

void recreate_swap(const std::string& path, const ProbeResult& swap) {
    std::vector<std::string> argv{"mkswap"};
    if (!swap.uuid.empty()) argv.insert(argv.end(), {"-U", swap.uuid});
    if (!swap.label.empty()) argv.insert(argv.end(), {"-L", swap.label});
    argv.push_back(path);
    run_tool_checked(argv, ExitCode::io_error);
}

std::unique_ptr<RestoreTargets> plan_disk_targets(const RestoreRequest& request, const OpenedImage& image,
                                                  const SystemView& system, Plan& plan) {
    const std::vector<ImagePart>& parts = image.parts();
    const std::vector<SavedDisk>& saved = image.saved_disks();
    std::string disk_list;
    for (const auto& d : saved) disk_list += (disk_list.empty() ? "" : " ") + d.name;
    if (request.targets.size() != saved.size())
        throw Error(ExitCode::usage, "image " + image.name() + " holds " + std::to_string(saved.size()) +
                                         " disk(s) (" + disk_list + ") but " + std::to_string(request.targets.size()) +
                                         " target disk(s) were given; name one target per saved disk, in that order");
    std::vector<DiskJob> jobs(saved.size());
    std::map<std::string, PvTargetPlan> pv_targets;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < saved.size(); ++i) {
        DiskJob& job = jobs[i];
        job.saved = &saved[i];
        job.file = is_regular_file(request.targets[i]);
        job.target = describe_target(request.targets[i], request.discovery, system);
        if (!seen.insert(job.target.path).second)
            throw Error(ExitCode::usage, job.target.path + " is given as the target of more than one disk");
        for (const auto& part : parts) {
            if (saved[i].whole_disk && part.files.part == saved[i].name) job.whole = &part;
            else if (auto n = partition_number(saved[i].name, part.files.part)) job.images[*n] = &part;
        }
        plan_disk(job, plan, image, request.grow, pv_targets);
        if (job.saved->recorded && !job.saved->recorded->identity.empty() &&
            job.saved->recorded->identity == job.target.identity())
            plan.warnings.push_back({"plan.target_is_source",
                                     job.target.path + " is the disk this image was saved from (" +
                                         job.target.identity() + ")",
                                     {{"target", job.target.path}, {"identity", job.target.identity()}}});
    }
    plan_volume_groups(image, pv_targets, request.grow_lv, plan);
    std::vector<MdTargetDisk> md_targets;
    for (const auto& job : jobs) md_targets.push_back({job.saved->name, job.target.path, job.file});
    auto md = MdRestore::plan(image, md_targets, plan);
    return std::make_unique<DiskTargets>(std::move(jobs), request.grow, request.grow_lv, request.discovery,
                                         std::move(md));
}

}  // namespace kura
