#include "ops/restore_parts.h"

#include "core/error.h"
#include "core/log.h"
#include "device/device.h"
#include "device/safety.h"
#include "device/sysfs.h"
#include "fs/filesystem.h"
#include "image/image_layout.h"
#include "image/manifest.h"
#include "ops/opened_image.h"
#include "ops/target_needs.h"
#include "pipeline/partition_restore.h"

#include <chrono>
#include <set>

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

}  // namespace

RestoreSummary restore_parts(const RestorePartsRequest& request, const std::function<bool(const Plan&)>& confirm) {
    auto started = std::chrono::steady_clock::now();
    const ImageAtHand at = image_at_hand(request.repo, request.image, request.opened_repo, request.opened_image,
                                           request.repository);
    const Repository* repo = at.repo;
    const OpenedImage& opened = *at.image;
    const std::vector<ImagePart>& parts = opened.parts();
    if (request.targets.size() != parts.size())
        throw Error(ExitCode::usage, "image " + request.image + " holds " + std::to_string(parts.size()) +
                                         " partition(s) (" + opened.part_list() + ") but " +
                                         std::to_string(request.targets.size()) + " target(s) were given");

    RestoreSummary summary;
    summary.plan.mode = "restoreparts";
    summary.plan.repo = repo->describe();
    summary.plan.image = request.image;
    SystemView system;
    std::set<std::pair<dev_t, ino_t>> seen;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& part = parts[i];
        const std::string& path = request.targets[i];
        refuse_unsafe_target(path, system);
        if (!seen.insert(identity(path)).second)
            throw Error(ExitCode::usage, path + " is given as the target of more than one partition");
        // Read-only here: nothing is opened for writing before the plan is confirmed.
        Device target = Device::open(path, Access::read_only, Role::target);
        // A dd stream's header knows no size (its length shows at its end): the manifest's
        // record of the source partition is what it needs then.
        const std::uint64_t needed = partition_needed_bytes(part, opened.manifest(), 0);
        const bool whole_copy = part.files.fs_type == "dd";
        if (target.size() < needed)
            throw Error(ExitCode::target_refused,
                        path + " is too small for partition " + part.files.part + ": it has " +
                            std::to_string(target.size()) + " bytes, the " +
                            (whole_copy ? "saved copy" : "filesystem") + " needs " + std::to_string(needed));
        summary.plan.items.push_back({part.files.part, path, part.files.fs_type, needed,
                                      partition_data_bytes(part, opened.manifest())});
        if (needed > 0 && target.size() > needed) {
            if (whole_copy)
                summary.plan.warnings.push_back(
                    {"plan.target_larger_copy",
                     path + " is larger than the saved partition; the bytes after the copy are left as they are",
                     {{"target", path}}});
            else
                summary.plan.warnings.push_back({"plan.target_larger_fs",
                                                 path + " is larger than the saved filesystem; the extra space stays "
                                                        "unused until you grow the filesystem (resize2fs)",
                                                 {{"target", path}}});
        }
    }
    if (!opened.complete_per_manifest())
        summary.plan.warnings.push_back(
            {"plan.no_manifest", "this image has no kura manifest; its completeness is checked while reading", {}});
    if (request.dry_run) {
        confirm(summary.plan);
        return summary;
    }
    if (!confirm(summary.plan)) throw Error(ExitCode::cancelled, "nothing was written: the restore was not confirmed");
    // Exclusive opens: from here on the kernel keeps anyone from mounting the targets.
    std::vector<Device> targets;
    for (const auto& path : request.targets) targets.push_back(Device::open(path, Access::read_write, Role::target));

    if (request.check_first) {
        Progress progress(request.progress, "check", request.progress_sink);
        progress.set_total(summary.plan.total_used_bytes());
        progress.start();
        for (const auto& part : parts) check_partition(*repo, request.image, part.files, progress);
        progress.stop();
    }

    Progress progress(request.progress, "restore", request.progress_sink);
    progress.set_total(summary.plan.total_used_bytes());
    progress.start();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        log::info("restoring " + parts[i].files.part + " onto " + targets[i].path());
        RestoreOutcome o = restore_partition(*repo, request.image, parts[i].files, targets[i], progress);
        if (const FilesystemReader* fs = filesystem_reader_for(parts[i].files.fs_type))
            fs->after_restore(targets[i], partition_start(targets[i]));
        summary.bytes += o.used_bytes;
        summary.zeroed_bytes += o.zeroed_bytes;
    }
    progress.stop();
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

}  // namespace kura
