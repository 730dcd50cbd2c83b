// `restoredisk`: a savedisk image (kura's or Clonezilla's) back onto whole disks - the
// partition table (grown or relocated to fit the target), the boot code and the gap after
// the table, every partition's data, swap recreated with its UUID and label - so the
// machine boots as before. Everything that can be checked without writing is checked
// before the plan is shown: sizes, sector sizes, the targets' safety, the image's files.
#pragma once

#include "core/progress.h"
#include "device/disk_inventory.h"
#include "ops/plan.h"
#include "repo/repository_options.h"
#include "ops/restore_parts.h"

#include <functional>
#include <string>
#include <vector>

namespace kura {

struct RestoreDiskRequest {
    std::string repo;
    std::string image;
    std::vector<std::string> targets;  // one per disk in the image, in the order of its `disk` file
    bool grow = false;                 // extend the last partition (and an ext filesystem on it) to the end
    bool check_first = false;
    bool dry_run = false;
    ProgressStyle progress = ProgressStyle::text;
    ProgressSink progress_sink;     // every snapshot also goes here (kura-menu's screen)
    RepositoryOptions repository;   // what opening `repo` needs (SMB credentials)
    DiscoveryOptions discovery;
    // As in RestorePartsRequest: an image kura-menu has open already. Both or neither.
    const Repository* opened_repo = nullptr;
    const OpenedImage* opened_image = nullptr;
};

RestoreSummary restore_disk(const RestoreDiskRequest& request, const std::function<bool(const Plan&)>& confirm);

}  // namespace kura
