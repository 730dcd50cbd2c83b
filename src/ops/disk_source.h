// A whole disk about to be saved: its partition table and, for every partition, what
// savedisk does with it - image it with its filesystem's reader, copy it whole as a dd
// stream (unknown, unformatted, LVM physical volume), record it (swap: UUID and label;
// an extended container: its boot record) - plus a device path to read it through. A
// partition of a disk image file has no node of its own: it gets a loop window.
#pragma once

#include "device/disk_inventory.h"
#include "device/loop_window.h"
#include "device/safety.h"
#include "fs/filesystem.h"
#include "ops/source_repair.h"
#include "pipeline/partition_save.h"
#include "ptable/partition_table.h"

#include <memory>
#include <string>
#include <vector>

namespace kura {

enum class PartitionRole { filesystem, raw, swap, extended };

std::string partition_role_name(PartitionRole role);

struct SourcePartition {
    PartitionEntry entry;
    std::string name;        // its name in the image: sda1
    std::string path;        // where it is read: /dev/sda1, or a loop window
    PartitionRole role = PartitionRole::raw;
    ProbeResult probe;
    std::uint64_t bytes = 0;
    PartitionSource source;  // for filesystem and raw roles
    std::string note;        // why it is copied whole, for the plan and the log
};

struct SourceDisk {
    DiskInfo info;
    PartitionTable table;
    std::vector<SourcePartition> partitions;
    std::vector<std::string> warnings;
    std::vector<std::unique_ptr<LoopWindow>> windows;  // kept open while the disk is saved

    bool whole_disk_filesystem() const { return table.kind == TableKind::none; }
};

// Probes `part.path` and decides its role: swap, a filesystem kura reads (inspected with
// `fs`, repaired first under `repair` unless `in_file`), or raw (dd) with a note. Notes
// for the plan go to `notes`. Also used for an LV (ops/volume_sources.h).
void inspect_partition_role(SourcePartition& part, const FsReadOptions& fs, SourceRepair repair, bool in_file,
                            std::vector<std::string>& notes);

// Finds the disk (a path, name, wwid:/serial: identity or an image file), reads its table
// and inspects every partition. Throws Error(source_unsupported) for a filesystem that
// cannot be imaged as it is (dirty NTFS and the like: the message says how to fix it),
// Error(target_refused) for a disk that is not there. With `repair` (--fsck) each
// partition's filesystem is repaired before it is read; a plan-only run adds to `warnings`
// what the save would repair. `system`: the job's view of mounts and sysfs (JobContext).
SourceDisk inspect_source_disk(const std::string& name, const FsReadOptions& fs, const DiscoveryOptions& discovery,
                               const SystemView& system, SourceRepair repair = SourceRepair::off);

}  // namespace kura
