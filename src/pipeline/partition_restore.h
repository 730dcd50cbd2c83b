// Restores one partition's stream onto a target, or (with no target) only verifies it.
#pragma once

#include "core/cancel.h"
#include "core/progress.h"
#include "device/device.h"
#include "image/image_layout.h"
#include "storage/repository.h"

namespace kura {

struct RestoreOutcome {
    std::uint64_t used_bytes = 0;
    std::uint64_t zeroed_bytes = 0;  // written as holes / BLKZEROOUT instead of data
    double seconds = 0;
};

// `cancel` (the job's) is polled between buffers.
RestoreOutcome restore_partition(const Repository& repo, const std::string& image_dir, const DataFiles& files,
                                 Device& target, Progress& progress, const CancelToken& cancel = signal_cancel_token());

// Decompresses and verifies every checksum; writes nothing.
RestoreOutcome check_partition(const Repository& repo, const std::string& image_dir, const DataFiles& files,
                               Progress& progress, const CancelToken& cancel = signal_cancel_token());

}  // namespace kura
