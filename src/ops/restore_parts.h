// `restoreparts`: writes an image's partitions onto targets given in the order of its
// `parts` file. Everything that can be checked without writing is checked first: the
// image's files, every header, each target's safety and size; then the plan is confirmed.
#pragma once

#include "core/progress.h"
#include "ops/plan.h"
#include "repo/repository_options.h"

#include <functional>
#include <string>
#include <vector>

namespace kura {

class OpenedImage;
class Repository;

struct RestorePartsRequest {
    std::string repo;
    std::string image;
    std::vector<std::string> targets;
    bool check_first = false;  // verify the whole image before writing anything
    bool dry_run = false;
    ProgressStyle progress = ProgressStyle::text;
    ProgressSink progress_sink;     // every snapshot also goes here (kura-menu's screen)
    RepositoryOptions repository;   // what opening `repo` needs (SMB credentials)
    // Already open (kura-menu's plan, right after it measured the image's needs): used
    // instead of opening `repo` and reading `image` again. Both or neither.
    const Repository* opened_repo = nullptr;
    const OpenedImage* opened_image = nullptr;
};

struct RestoreSummary {
    Plan plan;
    std::uint64_t bytes = 0;
    std::uint64_t zeroed_bytes = 0;
    double seconds = 0;
};

// `confirm` sees the plan and returns false to stop before anything is written.
RestoreSummary restore_parts(const RestorePartsRequest& request, const std::function<bool(const Plan&)>& confirm);

}  // namespace kura
