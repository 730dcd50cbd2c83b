// The one save routine behind `saveparts` and `savedisk`: the image name and the sources
// checked, an interrupted save found (--resume) before the sources are read, the plan
// (with the 676-piece limit of split names and the repository's free space), a dry run
// stopping there, then every source saved through one ImageSaveSession - built under a
// hidden name, verified, renamed only when complete - and the image's metadata written,
// with savedisk's disk layer (ops/save_disk_layout.h) around it. The caller opens the
// repository; the job's context carries progress, its own log (the image's
// clonezilla-img) and the system view the sources are checked against.
#pragma once

#include "ops/job_context.h"
#include "ops/plan.h"
#include "ops/save_request.h"
#include "storage/repository.h"

#include <functional>

namespace kura {

// `show_plan` is called once the sources are inspected and before anything is written.
SaveOutcome save_image(const SaveRequest& request, Repository& repo, JobContext& ctx,
                       const std::function<void(const Plan&)>& show_plan);

}  // namespace kura
