#include "ops/restore_image.h"

#include "core/error.h"
#include "ops/restore_targets.h"
#include "pipeline/partition_restore.h"

#include <chrono>

namespace kura {

RestoreSummary restore_image(const RestoreRequest& request, const Repository& repo, const OpenedImage& image,
                             JobContext& ctx, const std::function<bool(const Plan&)>& confirm) {
    auto started = std::chrono::steady_clock::now();
    RestoreSummary summary;
    summary.plan.mode = request.scope == RestoreScope::disks ? "restoredisk" : "restoreparts";
    summary.plan.repo = repo.describe();
    summary.plan.image = image.name();
    std::unique_ptr<RestoreTargets> targets =
        request.scope == RestoreScope::disks ? plan_disk_targets(request, image, ctx.system, summary.plan)
                                             : plan_partition_targets(request, image, ctx.system, summary.plan);
    if (!image.complete_per_manifest())
        summary.plan.warnings.push_back(
            {"plan.no_manifest", "this image has no kura manifest; its completeness is checked while reading", {}});
    if (request.dry_run) {
        confirm(summary.plan);
        return summary;
    }
    if (!confirm(summary.plan)) throw Error(ExitCode::cancelled, "nothing was written: the restore was not confirmed");
    targets->claim();

    if (request.check_first) {
        Progress progress(ctx.progress_style, "check", ctx.progress);
        progress.set_total(summary.plan.total_used_bytes());
        progress.start();
        for (const ImagePart* part : image.streams())
            check_partition(repo, image.name(), part->files, progress, ctx.cancel);
        progress.stop();
    }
    Progress progress(ctx.progress_style, "restore", ctx.progress);
    progress.set_total(summary.plan.total_used_bytes());
    progress.start();
    targets->write(repo, image, progress, ctx.cancel, summary);
    progress.stop();
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

}  // namespace kura
