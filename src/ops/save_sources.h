// What a save reads, found and inspected before anything is written: the partitions named
// one by one (saveparts), or whole disks with every partition's role (savedisk). Either way
// the save routine gets the same things: the sources it images in order, the devices the
// image's Clonezilla files list, the plan's rows and warnings - and, for disks, what the
// disk layer writes around the partitions (ops/save_disk_layout.h).
#pragma once

#include "device/safety.h"
#include "image/clonezilla_metadata.h"
#include "ops/disk_source.h"
#include "ops/plan.h"
#include "ops/save_request.h"
#include "ops/volume_sources.h"

#include <string>
#include <vector>

namespace kura {

struct SaveSources {
    std::vector<SourceDisk> disks;           // savedisk only
    std::vector<PartitionSource> imaged;     // saved as streams, in the image's order (dd copies too)
    std::vector<SavedDevice> listed;         // dev-fs.list, blkid.list: swap partitions and LVs (VG/LV) too
    std::vector<SavedDevice> parts;          // the `parts` file
    std::vector<PlanItem> plan_items;
    std::vector<std::string> warnings;       // for the plan
    SavedVolumeGroups lvm;                   // the VGs saved by their LVs (their LVs are in `imaged`)
    std::vector<std::pair<std::string, std::string>> md_files;  // (name, text): ops/md_sources.h
};

// Finds and checks every source the request names (refusing a busy one, or two with one
// name in the image), repairs them when asked (--fsck) and reads their filesystems.
SaveSources inspect_save_sources(const SaveRequest& request, const SystemView& system);

}  // namespace kura
