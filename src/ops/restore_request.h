// What a restore is asked to do, for both verbs: `restoredisk` writes a savedisk image onto
// whole disks (partition table and boot area first), `restoreparts` writes an image's
// partitions onto partitions (or files) the operator names - restoredisk without the
// partition-table step. One routine (ops/restore_image.h) carries out both.
#pragma once

#include "device/disk_inventory.h"
#include "ops/plan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

enum class RestoreScope {
    partitions,  // restoreparts: one target per partition, in the order of the image's `parts` file
    disks,       // restoredisk: one target per disk, in the order of its `disk` file
};

struct RestoreRequest {
    RestoreScope scope = RestoreScope::partitions;
    std::vector<std::string> targets;  // paths; disks also names, wwid:/serial: identities, image files
    bool grow = false;                 // disks: extend the last partition (and an ext filesystem on it) to the end
    // disks, with grow: "VG/LV" takes what the grown PV adds to its volume group, and its
    // filesystem grows with it (lvextend, then the filesystem's own grow).
    std::string grow_lv;
    bool check_first = false;          // verify the whole image before writing anything
    bool dry_run = false;
    DiscoveryOptions discovery;        // disks: where they are looked for (--devices)
};

struct RestoreSummary {
    Plan plan;
    std::uint64_t bytes = 0;
    std::uint64_t zeroed_bytes = 0;
    double seconds = 0;
};

}  // namespace kura
