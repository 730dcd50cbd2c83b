// What a save is asked to do, for both verbs: `saveparts` names partitions (or filesystem
// image files) one by one, `savedisk` names whole disks, whose partition tables and boot
// areas go into the image beside the partitions' data. Everything else - compression,
// split size, verification, --fsck, --resume, --dry-run - means the same for both, and one
// routine (ops/save_image.h) carries it out.
#pragma once

#include "device/disk_inventory.h"
#include "fs/filesystem.h"
#include "image/manifest.h"
#include "ops/plan.h"
#include "pipeline/partition_save.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

enum class SaveScope {
    partitions,  // saveparts
    disks,       // savedisk
};

// The verb a scope is ("saveparts", "savedisk"): the plan's mode.
const char* save_scope_verb(SaveScope scope);

struct SaveRequest {
    SaveScope scope = SaveScope::partitions;
    std::string image;
    // partitions: their paths; disks: paths, names, wwid:/serial: identities or image files.
    std::vector<std::string> sources;
    DiscoveryOptions discovery;  // disks: where they are looked for (--devices)
    SaveSettings settings;
    bool verify = true;
    bool dry_run = false;
    bool resume = false;  // continue the interrupted save of `image` instead of starting one
    // --fsck: check and repair each source filesystem before it is read (ops/source_repair.h);
    // a dry run repairs nothing.
    bool repair_first = false;
    FsReadOptions fs;
    std::string command_line;  // recorded in Info-saved-by-cmd.txt
};

struct SaveOutcome {
    Plan plan;
    Manifest manifest;
    std::uint64_t image_bytes = 0;
    double seconds = 0;
};

}  // namespace kura
