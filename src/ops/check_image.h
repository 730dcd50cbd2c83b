// `checkimage`: reads every byte of an image, decompresses it and verifies every
// checksum, writing nothing - what Clonezilla's ocs-chkimg does, without partclone.
#pragma once

#include "ops/job_context.h"
#include "ops/opened_image.h"
#include "ops/plan.h"
#include "storage/repository.h"

#include <string>

namespace kura {

struct CheckSummary {
    Plan plan;
    std::uint64_t bytes = 0;
    // Partitions whose stream has no checksums of its own (ntfsclone images, Partclone
    // images saved without them): read to the end and found consistent, nothing more.
    std::size_t parts_without_checksums = 0;
    double seconds = 0;
};

// The caller opens the image (OpenedImage::open checks everything a restore checks
// before it writes, partition tables too); this reads every stream of it.
CheckSummary check_image(const Repository& repo, const OpenedImage& image, JobContext& ctx);

// What check_image reads: every partition of the image with its filesystem size and data
// bytes (the plan a check shows, and kura-menu's before it runs one).
Plan check_image_plan(const Repository& repo, const OpenedImage& image);

}  // namespace kura
