// The LVM part of a restore: after the partition tables are written and before anything
// else reads the new physical-volume partitions, each volume group of the image is
// recreated on them as Clonezilla's restore_logv does (pvcreate --uuid --restorefile, then
// vgcfgrestore), and each logical volume's stream is written into it, through a node kura
// maps itself (volume/lvm_logical_volume_access.h): the volume group is never activated,
// and every lvm2 command sees only the targets, so a source disk still attached (whose PVs
// carry the same UUIDs) is never touched.
#pragma once

#include "core/cancel.h"
#include "core/progress.h"
#include "ops/opened_image.h"
#include "ops/plan.h"
#include "ops/restore_request.h"
#include "storage/repository.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace kura {

// Where each physical-volume partition of the image goes: the partition's name in the image
// (sda2) -> a description for the plan ("/dev/sdb2", "disk.img partition 2") and its size.
struct PvTargetPlan {
    std::string where;
    std::uint64_t bytes = 0;
};

// The bytes the physical volume saved from `partition` needs of its target: its extents'
// end (a PV cannot be restored smaller).
std::uint64_t physical_volume_needed_bytes(const OpenedImage& image, const std::string& partition);

// Adds a row per logical volume to `plan`, and refuses (before anything is written) what
// cannot be restored here: lvm2's tools missing, a PV partition smaller than the one saved,
// an LV kura cannot map on this system (several segments and no device-mapper), a volume
// group whose PVs do not all have a target.
// `grow_lv` ("VG/LV" or empty): the LV --grow-lv names, which must be one of the image's
// with a filesystem.
void plan_volume_groups(const OpenedImage& image, const std::map<std::string, PvTargetPlan>& targets,
                        const std::string& grow_lv, Plan& plan);

// Recreates the volume groups on `pv_paths` (image partition name -> the device written
// now: a partition node or a loop window) and restores every logical volume. `grown`: PV
// partitions made larger than saved (--grow): their PVs are resized to fill them, and
// `grow_lv` ("VG/LV", may be empty) is extended into the space and its filesystem grown.
void restore_volume_groups(const Repository& repo, const OpenedImage& image,
                           const std::map<std::string, std::string>& pv_paths, const std::set<std::string>& grown,
                           const std::string& grow_lv, Progress& progress, const CancelToken& cancel,
                           RestoreSummary& summary);

}  // namespace kura
