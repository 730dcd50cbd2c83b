#include "ops/disk_source.h"

#include "core/error.h"
#include "core/log.h"
#include "device/device.h"
#include "device/partition_name.h"
#include "device/safety.h"

#include <sys/stat.h>

namespace kura {
namespace {

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// How a partition that holds no filesystem kura reads is described to the operator.
std::string raw_note(const ProbeResult& probe) {
    if (probe.type.empty()) return "no filesystem found: copied whole (dd)";
    if (probe.type == "LVM2_member") return "LVM physical volume: copied whole (dd)";
    return probe.type + " is not read by kura: copied whole (dd)";
}

std::string device_path_of(const SourceDisk& disk, const PartitionEntry& entry) {
    const std::uint64_t ss = disk.table.sector_size;
    for (const auto& p : disk.info.partitions)
        if (p.number == entry.number) {
            // The kernel's partition must be the one the table describes: a stale one (the
            // table changed since it was read) would make kura save the wrong bytes.
            if (p.start_bytes != entry.start * ss || p.size_bytes != entry.size * ss)
                throw Error(ExitCode::source_unsupported,
                            p.path + ": the kernel has this partition at byte " + std::to_string(p.start_bytes) +
                                " with " + std::to_string(p.size_bytes) + " bytes, but the table on " +
                                disk.info.path + " says byte " + std::to_string(entry.start * ss) + " with " +
                                std::to_string(entry.size * ss) + "; run `partprobe " + disk.info.path +
                                "` so the kernel reads the table again");
            return p.path;
        }
    throw Error(ExitCode::source_unsupported,
                disk.info.path + ": the partition table lists partition " + std::to_string(entry.number) +
                    " but the kernel shows no device for it; run `partprobe " + disk.info.path +
                    "` (or check that the table is not damaged) and try again");
}

}  // namespace

// `repair`: --fsck (ops/source_repair.h). A partition of a disk image file was repaired
// already, through a read-write window (repair_file_partitions), since the read-only
// window it is read through cannot be written.
void inspect_partition_role(SourcePartition& part, const FsReadOptions& fs, SourceRepair repair, bool in_file,
                            std::vector<std::string>& notes) {
    part.probe = probe_filesystem(part.path);
    const std::string& type = part.probe.type;
    if (type == "swap") {
        part.role = PartitionRole::swap;
        part.note = "swap: recreated with its UUID and label";
        return;
    }
    if (!type.empty() && filesystem_reader_for(type)) {
        part.role = PartitionRole::filesystem;
        if (repair == SourceRepair::repair && !in_file) {
            repair_source_filesystem(part.path, part.name, type, part.path);
            part.probe = probe_filesystem(part.path);
        }
        part.source = inspect_partition_before_repair(part.path, part.name, fs, repair, notes);
        if (part.source.raw) {  // its metadata is inconsistent and --fs-force copies it whole
            part.role = PartitionRole::raw;
            part.note = part.source.raw_reason;
        }
        return;
    }
    part.role = PartitionRole::raw;
    part.note = raw_note(part.probe);
    part.source = inspect_raw_partition(part.path, part.name);
}

namespace {

// --fsck on a disk image file: every partition's filesystem repaired through a read-write
// loop window of its own, before any read-only window is attached (so the file is not in
// use by kura yet, and no window caches what the repair changes).
void repair_file_partitions(const SourceDisk& disk) {
    if (auto busy = unsafe_file_target_reasons(disk.info.path); !busy.empty()) {
        log::warn("--fsck: " + disk.info.path + " is not repaired: " + busy.front());
        return;
    }
    const std::uint64_t sector = disk.table.sector_size;
    for (const auto& entry : disk.table.partitions) {
        if (entry.is_extended()) continue;
        LoopWindow window(disk.info.path, entry.start * sector, entry.size * sector, Access::read_write,
                          Role::source);
        std::string type = probe_filesystem(window.path()).type;
        if (type.empty() || type == "swap" || !filesystem_reader_for(type)) continue;
        repair_source_filesystem(window.path(), partition_name(disk.info.name, entry.number), type, window.path());
    }
}

}  // namespace

std::string partition_role_name(PartitionRole role) {
    switch (role) {
        case PartitionRole::filesystem: return "filesystem";
        case PartitionRole::raw: return "dd";
        case PartitionRole::swap: return "swap";
        case PartitionRole::extended: return "extended";
    }
    return "?";
}

SourceDisk inspect_source_disk(const std::string& name, const FsReadOptions& fs, const DiscoveryOptions& discovery,
                               const SystemView& system, SourceRepair repair) {
    SourceDisk disk;
    const bool file = is_regular_file(name);
    disk.info = file ? describe_disk_file(name) : find_disk(name, discovery, system);
    Device device = Device::open(disk.info.path, Access::read_only, Role::source);
    disk.table = read_partition_table(device, disk.info.logical_sector, disk.warnings);
    for (const auto& w : disk.warnings) log::warn(disk.info.path + ": " + w);

    if (disk.whole_disk_filesystem()) {
        // A filesystem on the whole disk is saved like one partition named after the disk.
        SourcePartition part;
        part.name = disk.info.name;
        part.path = disk.info.path;
        part.bytes = device.size();
        refuse_busy_source(part.path, system);
        SourceRepair whole_repair = repair;
        if (file && repair == SourceRepair::repair)
            if (auto busy = unsafe_file_target_reasons(part.path); !busy.empty()) {
                log::warn("--fsck: " + part.path + " is not repaired: " + busy.front());
                whole_repair = SourceRepair::off;
            }
        inspect_partition_role(part, fs, whole_repair, false, disk.warnings);
        if (part.role == PartitionRole::raw && part.probe.type.empty())
            throw Error(ExitCode::source_unsupported,
                        disk.info.path + ": neither a partition table nor a filesystem kura reads was found on it");
        disk.partitions.push_back(std::move(part));
        return disk;
    }

    if (file && repair == SourceRepair::repair) repair_file_partitions(disk);
    const std::uint64_t sector = disk.table.sector_size;
    for (const auto& entry : disk.table.partitions) {
        SourcePartition part;
        part.entry = entry;
        part.name = partition_name(disk.info.name, entry.number);
        part.bytes = entry.size * sector;
        if (entry.is_extended()) {
            part.role = PartitionRole::extended;
            part.note = "extended partition: its boot record is saved, its logical partitions are listed apart";
            disk.partitions.push_back(std::move(part));
            continue;
        }
        if (file) {
            disk.windows.push_back(std::make_unique<LoopWindow>(disk.info.path, entry.start * sector, part.bytes,
                                                                Access::read_only, Role::source));
            part.path = disk.windows.back()->path();
        } else {
            part.path = device_path_of(disk, entry);
            refuse_busy_source(part.path, system);
        }
        inspect_partition_role(part, fs, repair, file, disk.warnings);
        disk.partitions.push_back(std::move(part));
    }
    return disk;
}

}  // namespace kura
