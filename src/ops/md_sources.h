// savedisk and md RAID: the member partitions (libblkid "linux_raid_member") of the disks
// being saved, grouped into their arrays from the members' superblocks - nothing is
// assembled, since reading a source must not change it.
//   RAID1: the array's filesystem is imaged once, as mdN (Clonezilla's name for the data
//          file: md0.ext4-ptcl-img.zst), read through the data window of one in-sync
//          member (a read-only loop window at its data offset with the array's size);
//          the members themselves carry no data file: restore recreates them with mdadm.
//   RAID0/4/5/6/10, linear: the members are copied whole (dd), superblocks included, so
//          the array comes back with their bytes; the plan says why.
// Every array gets Clonezilla's mdN-config.env and mdN-detail.info, every member its
// <member>-examine.info (`mdadm --examine`, which reads a member without the md driver).
// An array whose members are not all in the save is refused, with the members found.
#pragma once

#include "ops/disk_source.h"
#include "ops/plan.h"
#include "ops/source_repair.h"
#include "volume/md_array.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kura {

class MdSavePlan {
public:
    // Throws Error(source_unsupported) for an array missing members in the save, one with
    // no member in sync, and for damaged superblocks (volume/md_superblock.h).
    static MdSavePlan inspect(const std::vector<SourceDisk>& disks, const FsReadOptions& fs, SourceRepair repair,
                              std::vector<std::string>& warnings);

    // A partition that is a RAID1 member: not imaged itself (its array is).
    bool imaged_through_array(const std::string& partition) const;
    // The plan row for a member partition (what it is and how it is saved); nullopt for a
    // partition that is no member.
    std::optional<PlanItem> member_plan_item(const SourcePartition& p) const;

    const std::vector<MdArray>& arrays() const { return arrays_; }
    // The RAID1 arrays' filesystems, imaged as mdN.
    const std::vector<PartitionSource>& imaged() const { return imaged_; }
    std::vector<PlanItem> array_plan_items() const;
    // mdN-config.env, mdN-detail.info, <member>-examine.info: (file name, text).
    std::vector<std::pair<std::string, std::string>> files() const;
    // The data windows, for whoever keeps the sources open while they are saved.
    std::vector<std::unique_ptr<LoopWindow>> take_windows() { return std::move(windows_); }

private:
    std::vector<MdArray> arrays_;
    std::vector<PartitionSource> imaged_;
    std::vector<std::string> window_members_;  // per imaged_: the member read
    std::vector<std::unique_ptr<LoopWindow>> windows_;
    std::vector<std::pair<std::string, std::string>> examine_;  // member name, mdadm --examine text
};

}  // namespace kura
