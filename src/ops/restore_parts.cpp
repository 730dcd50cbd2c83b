// restoreparts' targets: one partition (or file) per partition of the image, in the order
// of its `parts` file, each written where it is - no partition table is touched.
#include "ops/restore_targets.h"

#include "core/error.h"
#include "device/sysfs.h"
#include "ops/restore_volumes.h"
#include "ops/target_needs.h"

#include <map>
#include <set>
#include <vector>

#include <sys/stat.h>

namespace kura {
namespace {

// Identity of a target, so the same device under two names is caught.
std::pair<dev_t, ino_t> identity(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {0, 0};
    if (S_ISBLK(st.st_mode)) return {st.st_rdev, 0};
    return {st.st_dev, st.st_ino};
}

// Where a partition target starts on its disk; nullopt for a whole disk or a file.
std::optional<std::uint64_t> partition_start(const Device& target) {
    struct stat st {};
    if (!target.is_block_device() || ::fstat(target.fd(), &st) != 0) return std::nullopt;
    return Sysfs().partition_start(st.st_rdev);
}

// `paths`: one per partition with data (image.parts(), in order); `pv_paths`: the targets
// of the physical-volume partitions, which lvm2's tools open themselves (so kura does not
// hold them open exclusively).
class PartitionTargets : public RestoreTargets {
public:
    PartitionTargets(std::vector<std::string> paths, std::map<std::string, std::string> pv_paths)
        : paths_(std::move(paths)), pv_paths_(std::move(pv_paths)) {}

    void claim() override {
        for (const auto& path : paths_) devices_.push_back(Device::open(path, Access::read_write, Role::target));
    }

    void write(const Repository& repo, const OpenedImage& image, Progress& progress, const CancelToken& cancel,
               RestoreSummary& summary) override {
        const std::vector<ImagePart>& parts = image.parts();
        for (std::size_t i = 0; i < parts.size(); ++i)
            restore_onto(repo, image, parts[i], devices_[i], partition_start(devices_[i]), progress, cancel,
                         summary);
        if (!pv_paths_.empty()) restore_volume_groups(repo, image, pv_paths_, {}, "", progress, cancel, summary);
    }

private:
    std::vector<std::string> paths_;
    std::map<std::string, std::string> pv_paths_;
    std::vector<Device> devices_;
};

}  // namespace

std::unique_ptr<RestoreTargets> plan_partition_targets(const RestoreRequest& request, const OpenedImage& image,
                                                       const SystemView& system, Plan& plan) {
    const std::vector<ImagePart>& parts = image.parts();
    const std::vector<std::string>& names = image.part_names();
    if (request.targets.size() != names.size()) {
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : " ") + n;
        throw Error(ExitCode::usage, "image " + image.name() + " holds " + std::to_string(names.size()) +
                                         " partition(s) (" + all + ") but " + std::to_string(request.targets.size()) +
                                         " target(s) were given");
    }
    std::set<std::pair<dev_t, ino_t>> seen;
    std::vector<std::string> data_targets;
    std::map<std::string, std::string> pv_paths;
    std::map<std::string, PvTargetPlan> pv_plans;
    for (std::size_t i = 0, next_part = 0; i < names.size(); ++i) {
        const std::string& path = request.targets[i];
        refuse_unsafe_target(path, system);
        if (!seen.insert(identity(path)).second)
            throw Error(ExitCode::usage, path + " is given as the target of more than one partition");
        if (image.is_physical_volume(names[i])) {
            const std::uint64_t room = Device::open(path, Access::read_only, Role::target).size();
            pv_paths[names[i]] = path;
            pv_plans[names[i]] = {path, room};
            plan.items.push_back({names[i], path, "LVM2_member", room, 0});
            continue;
        }
        const auto& part = parts[next_part++];
        data_targets.push_back(path);
        // Read-only here: nothing is opened for writing before the plan is confirmed.
        const std::uint64_t room = Device::open(path, Access::read_only, Role::target).size();
        // A dd stream's header knows no size (its length shows at its end): the manifest's
        // record of the source partition is what it needs then.
        const std::uint64_t needed = target_room_bytes(part, image.manifest(), 0, room, path);
        plan.items.push_back(
            {part.files.part, path, part.files.fs_type, needed, partition_data_bytes(part, image.manifest(), 0)});
        if (needed > 0 && room > needed) {
            if (part.files.fs_type == "dd")
                plan.warnings.push_back(
                    {"plan.target_larger_copy",
                     path + " is larger than the saved partition; the bytes after the copy are left as they are",
                     {{"target", path}}});
            else
                plan.warnings.push_back({"plan.target_larger_fs",
                                         path + " is larger than the saved filesystem; the extra space stays "
                                                "unused until you grow the filesystem (resize2fs)",
                                         {{"target", path}}});
        }
    }
    plan_volume_groups(image, pv_plans, "", plan);
    return std::make_unique<PartitionTargets>(std::move(data_targets), std::move(pv_paths));
}

}  // namespace kura
