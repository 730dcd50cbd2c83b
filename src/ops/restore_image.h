// The one restore routine behind `restoredisk` and `restoreparts` (restoredisk without the
// partition-table step): the targets planned and checked against the opened image
// (ops/restore_targets.h), the plan confirmed, optionally the whole image verified first,
// then every partition written. The caller opens the repository and the image
// (OpenedImage::open has checked every file the restore reads); the job's context carries
// progress and the system view the targets are checked against.
#pragma once

#include "ops/job_context.h"
#include "ops/opened_image.h"
#include "ops/plan.h"
#include "ops/restore_request.h"
#include "storage/repository.h"

#include <functional>

namespace kura {

// `confirm` sees the plan and returns false to stop before anything is written; a dry run
// shows it the plan and stops whatever it answers.
RestoreSummary restore_image(const RestoreRequest& request, const Repository& repo, const OpenedImage& image,
                             JobContext& ctx, const std::function<bool(const Plan&)>& confirm);

}  // namespace kura
