#include "ops/check_image.h"

#include "core/log.h"
#include "ops/target_needs.h"
#include "pipeline/partition_restore.h"

#include <chrono>

namespace kura {

Plan check_image_plan(const Repository& repo, const OpenedImage& image) {
    Plan plan;
    plan.mode = "checkimage";
    plan.repo = repo.describe();
    plan.image = image.name();
    for (const ImagePart* p : image.streams())
        plan.items.push_back({p->files.part, "-", p->files.fs_type, partition_needed_bytes(*p, image.manifest(), 0),
                              partition_data_bytes(*p, image.manifest(), 0)});
    return plan;
}

CheckSummary check_image(const Repository& repo, const OpenedImage& opened, JobContext& ctx) {
    auto started = std::chrono::steady_clock::now();
    CheckSummary summary;
    summary.plan = check_image_plan(repo, opened);
    Progress progress(ctx.progress_style, "check", ctx.progress);
    progress.set_total(summary.plan.total_used_bytes());
    progress.start();
    for (const ImagePart* stream : opened.streams()) {
        const ImagePart& p = *stream;
        RestoreOutcome o = check_partition(repo, opened.name(), p.files, progress, ctx.cancel);
        summary.bytes += o.used_bytes;
        if (p.header.checksum_mode == partclone_checksum_none) {
            ++summary.parts_without_checksums;
            log::info(p.files.part + ": read to the end and consistent (" + std::to_string(o.used_bytes) +
                      " bytes of data); this stream carries no checksums of its own");
        } else {
            log::info(p.files.part + ": all checksums match (" + std::to_string(o.used_bytes) + " bytes of data)");
        }
    }
    progress.stop();
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

}  // namespace kura
