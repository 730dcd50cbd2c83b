// `saveparts`: one or more partitions into a new image directory. The directory is built
// under a hidden temporary name and renamed only when every file is written, flushed and
// (by default) verified, so an unfinished image is never offered for restore. With
// `resume`, a save an earlier run left unfinished is continued (ops/image_save_session.h).
#pragma once

#include "core/progress.h"
#include "fs/filesystem.h"
#include "image/manifest.h"
#include "ops/image_save_session.h"
#include "ops/plan.h"
#include "pipeline/partition_save.h"

#include <functional>
#include "repo/repository_options.h"

#include <string>
#include <vector>

namespace kura {

struct SavePartsRequest {
    std::string repo;
    std::string image;
    std::vector<std::string> sources;
    SaveSettings settings;
    bool verify = true;
    bool dry_run = false;
    bool resume = false;  // continue the interrupted save of `image` instead of starting one
    // --fsck: check and repair each source filesystem before it is read (ops/source_repair.h);
    // a dry run repairs nothing.
    bool repair_first = false;
    FsReadOptions fs;
    std::string command_line;  // recorded in Info-saved-by-cmd.txt
    ProgressStyle progress = ProgressStyle::text;
    ProgressSink progress_sink;     // every snapshot also goes here (kura-menu's screen)
    RepositoryOptions repository;   // what opening `repo` needs (SMB credentials)
};

struct SaveOutcome {
    Plan plan;
    Manifest manifest;
    std::uint64_t image_bytes = 0;
    double seconds = 0;
};

// `show_plan` is called once the sources are inspected and before anything is written.
SaveOutcome save_parts(const SavePartsRequest& request, const std::function<void(const Plan&)>& show_plan);

}  // namespace kura
