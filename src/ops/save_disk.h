// `savedisk`: whole disks into one Clonezilla-layout image directory - the partition
// table and boot area in the files ocs-sr reads, every partition imaged by its
// filesystem's reader or copied whole, swap and extended partitions recorded - plus
// kura's manifest with each disk's identity. Built under a hidden name, renamed when done.
#pragma once

#include "device/disk_inventory.h"
#include "ops/save_parts.h"

#include <functional>
#include <string>
#include <vector>

namespace kura {

struct SaveDiskRequest {
    std::string repo;
    std::string image;
    std::vector<std::string> disks;  // paths, names, wwid:/serial: identities or image files
    SaveSettings settings;
    bool verify = true;
    bool dry_run = false;
    // --fsck: check and repair the filesystem of every partition before it is read
    // (ops/source_repair.h); a dry run repairs nothing.
    bool repair_first = false;
    FsReadOptions fs;
    std::string command_line;
    ProgressStyle progress = ProgressStyle::text;
    ProgressSink progress_sink;     // every snapshot also goes here (kura-menu's screen)
    RepositoryOptions repository;   // what opening `repo` needs (SMB credentials)
    DiscoveryOptions discovery;
    bool resume = false;  // continue the save of IMAGE an earlier run left unfinished
};

SaveOutcome save_disk(const SaveDiskRequest& request, const std::function<void(const Plan&)>& show_plan);

}  // namespace kura
