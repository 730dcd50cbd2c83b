// The LVM layer of a save: the volume groups whose physical volumes lie in the partitions
// being saved, and how each is saved. A VG whose visible LVs are all linear or striped
// (and each can get a device node here) is saved as Clonezilla does: every LV imaged by its
// filesystem like a partition (VG-LV.<fs>-ptcl-img.*), swap LVs recorded, the VG's
// metadata kept (lvm_<VG>.conf), and its PV partitions carry no data file of their own.
// Any other VG (a thin pool, raid or cache LV, an LV that needs device-mapper where there
// is none) goes with its PV partitions copied whole (dd), and the plan says why.
// Nothing is activated and nothing is written to the source: LVs are read through their
// extents' places in the PVs (volume/lvm_logical_volume_access.h).
#pragma once

#include "image/clonezilla_lvm.h"
#include "ops/disk_source.h"
#include "ops/plan.h"
#include "volume/lvm_discovery.h"
#include "volume/lvm_logical_volume_access.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace kura {

// The image file holding a PV partition's header area (kura's own; Clonezilla has none).
std::string pv_header_file_name(const std::string& partition);

// One LV imaged on its own: `part.name` is its image name (VolGroup00-LogVol00), `part.path`
// the node it is read through.
struct SavedLogicalVolume {
    std::string vg;
    std::string lv;
    std::string under;  // the first of its VG's PV partitions in the save (sda2), for the plan
    SourcePartition part;
};

struct SavedVolumeGroups {
    std::vector<LvmPvLine> pvs;           // lvm_vg_dev.list
    std::vector<LvmLvLine> lvs;           // lvm_logv.list (not snapshots: they are not imaged)
    std::vector<LvmVolumeGroup> vgs;      // one lvm_<VG>.conf each
    // Per PV partition saved by its LVs: its first pe_start bytes (label, metadata area), as
    // they were when the save read the metadata: <part>-lvm-pv-header in the image.
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> pv_headers;
    std::vector<SavedLogicalVolume> volumes;  // imaged or recorded (swap), in the image's order
    // Per PV partition copied whole although it holds a VG: why (for the plan).
    std::vector<std::pair<std::string, std::string>> whole_pv_notes;
    std::vector<std::string> notes;       // snapshots not imaged, --fsck not applied ...
    std::vector<std::unique_ptr<LogicalVolumeNode>> nodes;  // kept open while the save runs

    // True when `partition`'s data goes by its LVs (it gets no data file).
    bool is_member(const std::string& partition) const;
};

// The LVM2_member partitions of `disks`, where their bytes are: a range of a disk image
// file, or the partition's own node.
std::vector<PvCandidate> physical_volume_candidates(const std::vector<SourceDisk>& disks);

// Discovers the VGs on `candidates` (the save's LVM2_member partitions, all of them
// together, so a VG spanning two saved disks is found whole) and inspects each LV to be imaged with the
// same filesystem checks as a partition (`fs`: --fs-force ...). `repair` (--fsck) is not
// applied to LVs: kura opens a source's LVs read-only. Throws Error(source_unsupported)
// for a VG with PVs outside the save, listing the missing PVs' UUIDs and device hints.
SavedVolumeGroups inspect_volume_groups(const std::vector<PvCandidate>& candidates, const FsReadOptions& fs,
                                        SourceRepair repair);

// The plan's rows for the LVs of `partition` (shown under it), with its used bytes.
std::vector<PlanItem> volume_plan_items(const SavedVolumeGroups& groups, const std::string& partition);

}  // namespace kura
