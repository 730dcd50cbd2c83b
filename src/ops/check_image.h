// `checkimage`: reads every byte of an image, decompresses it and verifies every
// checksum, writing nothing - what Clonezilla's ocs-chkimg does, without partclone.
#pragma once

#include "core/progress.h"
#include "ops/plan.h"

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

CheckSummary check_image(const std::string& repo, const std::string& image, ProgressStyle style);

}  // namespace kura
