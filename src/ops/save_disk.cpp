#include "ops/save_disk.h"

#include "core/error.h"
#include "core/job_log.h"
#include "core/log.h"
#include "core/timestamp.h"
#include "core/units.h"
#include "device/device.h"
#include "image/clonezilla_metadata.h"
#include "image/image_layout.h"
#include "ops/disk_source.h"
#include "ops/image_save_session.h"
#include "ops/live_logs.h"
#include "pipeline/partition_restore.h"
#include "ptable/clonezilla_table_files.h"
#include "repo/open_repository.h"

#include <chrono>
#include <set>

namespace kura {
namespace {

constexpr double kExpectedRatio = 0.6;
// Clonezilla skips a post-MBR gap this large (it is then not boot code but data).
constexpr std::uint64_t kMaxHiddenData = 1024ull << 20;


std::vector<std::uint8_t> read_bytes(const Device& device, std::uint64_t offset, std::uint64_t length) {
    std::vector<std::uint8_t> bytes(length);
    if (length > 0) device.read_at(bytes.data(), bytes.size(), offset);
    return bytes;
}

// Where the boot area a table leaves free starts: after the MBR sector, or after GPT's
// header and entry array.
std::uint64_t gap_start_sector(const PartitionTable& table) {
    if (table.kind == TableKind::gpt) {
        std::uint64_t entry_bytes = std::uint64_t{table.gpt_entries} * 128;
        return 2 + (entry_bytes + table.sector_size - 1) / table.sector_size;
    }
    return 1;
}

Plan make_plan(const SaveDiskRequest& request, const Repository& repo, const std::vector<SourceDisk>& disks) {
    Plan plan;
    plan.mode = "savedisk";
    plan.repo = repo.describe();
    plan.image = request.image;
    for (const auto& disk : disks) {
        plan.warnings.insert(plan.warnings.end(), disk.warnings.begin(), disk.warnings.end());
        std::string table = table_kind_name(disk.table.kind);
        plan.items.push_back({disk.info.name, disk.info.path + " (" + table + ", " + disk.info.identity() + ")",
                              "disk", disk.info.size_bytes, 0});
        for (const auto& p : disk.partitions) {
            PlanItem item{p.name, p.path, p.probe.type, p.bytes, 0};
            switch (p.role) {
                case PartitionRole::filesystem:
                    item.used_bytes = p.source.map.used.count() * p.source.map.block_size;
                    break;
                case PartitionRole::raw:
                    item.fs_type = p.probe.type.empty() ? "dd" : p.probe.type + " (dd)";
                    item.used_bytes = p.bytes;
                    plan.warnings.push_back(p.name + ": " + p.note);
                    break;
                case PartitionRole::swap: item.fs_type = "swap"; break;
                case PartitionRole::extended: item.fs_type = "extended"; break;
            }
            plan.items.push_back(item);
        }
    }
    auto estimate = static_cast<std::uint64_t>(static_cast<double>(plan.total_used_bytes()) *
                                               (request.settings.codec->name == "none" ? 1.0 : kExpectedRatio));
    std::uint64_t free = repo.free_bytes();
    if (free < estimate)
        plan.warnings.push_back("the repository has " + format_bytes(free) + " free; the image may need about " +
                                format_bytes(estimate));
    return plan;
}

// The table and boot area files Clonezilla writes for a disk, and kura's own copy of a
// GPT disk's post-table gap (Clonezilla keeps that only for MBR disks).
void write_disk_layout(ImageSaveSession& session, const SourceDisk& disk) {
    if (disk.whole_disk_filesystem()) return;
    const std::string base = disk.info.name;
    const PartitionTable& t = disk.table;
    const std::uint64_t ss = t.sector_size;
    Device device = Device::open(disk.info.path, Access::read_only, Role::source);
    session.write_file(base + "-pt.sf", sfdisk_dump_text(t, disk.info.name));
    session.write_file(base + "-pt.parted", parted_print_text(t, disk.info.name, disk.info.model,
                                                                 disk.info.physical_sector));
    session.write_file(base + "-pt.parted.compact", parted_compact_text(t, disk.info.name, disk.info.model,
                                                                           disk.info.physical_sector));
    session.write_file(base + "-chs.sf", chs_sf_text(t.disk_sectors, t.sector_size));
    session.write_file(base + "-mbr", read_bytes(device, 0, 512));

    std::uint64_t gap_from = gap_start_sector(t), gap_to = t.first_partition_start();
    std::uint64_t gap_bytes = gap_to > gap_from ? (gap_to - gap_from) * ss : 0;
    if (t.kind == TableKind::mbr) {
        if (gap_bytes >= kMaxHiddenData)
            session.write_file(base + "-hidden-data-after-mbr.notes.txt",
                            "The space between the MBR and the first partition is " + format_bytes(gap_bytes) +
                                "; it was not saved.\n");
        else if (gap_bytes > 0)
            session.write_file(base + "-hidden-data-after-mbr", read_bytes(device, gap_from * ss, gap_bytes));
        for (const auto& p : disk.partitions)
            if (p.role == PartitionRole::extended)
                session.write_file(p.name + "-ebr", read_bytes(device, p.entry.start * ss, 512));
    } else {
        session.write_file(base + "-gpt-1st", gpt_first_copy(device, t));
        session.write_file(base + "-gpt-2nd", gpt_second_copy(device, t));
        session.write_file(base + "-gpt.gdisk", sgdisk_backup(device, t));
        session.write_file(base + "-gpt.sgdisk", sgdisk_print_text(t, "/dev/" + disk.info.name));
        if (gap_bytes > 0 && gap_bytes < kMaxHiddenData)
            session.write_file(base + "-hidden-data-after-gpt", read_bytes(device, gap_from * ss, gap_bytes));
    }
}

ManifestDisk manifest_disk(const SourceDisk& disk) {
    ManifestDisk d;
    d.name = disk.info.name;
    d.source = disk.info.path;
    d.identity = disk.info.identity();
    d.model = disk.info.model;
    d.serial = disk.info.serial;
    d.wwid = disk.info.wwid;
    d.transport = transport_name(disk.info.transport);
    d.table = table_kind_name(disk.table.kind);
    d.bytes = disk.info.size_bytes;
    d.logical_sector = disk.info.logical_sector;
    d.physical_sector = disk.info.physical_sector;
    return d;
}

void write_metadata(ImageSaveSession& session, const SaveDiskRequest& request, const std::vector<SourceDisk>& disks,
                    const JobLog& job_log) {
    std::vector<std::string> disk_names;
    std::vector<SavedDevice> listed, imaged;
    for (const auto& disk : disks) {
        disk_names.push_back(disk.info.name);
        write_disk_layout(session, disk);
        for (const auto& p : disk.partitions) {
            if (p.role == PartitionRole::extended) continue;
            SavedDevice d{p.name, p.probe, p.bytes};
            listed.push_back(d);
            if (p.role == PartitionRole::swap)
                session.write_file("swappt-" + p.name + ".info", swap_info_text(p.probe));
            else
                imaged.push_back(d);
        }
    }
    session.write_file("dev-fs.list", dev_fs_list_text(listed));
    session.write_file("blkid.list", blkid_list_text(listed));
    session.write_file("Info-saved-by-cmd.txt", request.command_line + "\n");
    // Before clonezilla-img, so that a log left out says why in the image's own log.
    write_live_logs(session);
    std::string log_text = clonezilla_img_text(local_timestamp(), job_log.lines());
    session.write_file("clonezilla-img", log_text);
    session.write_file("Info-img-id.txt", info_img_id_text(log_text));
    session.write_file("disk", disk_file_text(disk_names));
    // Last: Clonezilla's pickers recognise an image by its `parts` file.
    session.write_file(kPartsFile, parts_file_text(imaged));
}

}  // namespace

SaveOutcome save_disk(const SaveDiskRequest& request, const std::function<void(const Plan&)>& show_plan) {
    auto started = std::chrono::steady_clock::now();
    JobLog job_log;  // this save's lines only, for the image's clonezilla-img
    validate_image_name(request.image);
    if (request.disks.empty()) throw Error(ExitCode::usage, "savedisk needs at least one disk");
    auto repo = open_repository(request.repo, request.repository);
    if (!request.resume && repo->exists(request.image))
        throw Error(ExitCode::target_refused, "image " + request.image + " already exists in " + repo->describe() +
                                                  "; choose another name or remove the old image first");

    std::vector<SourceDisk> disks;
    std::set<std::string> names;
    const SourceRepair repair = source_repair_mode(request.repair_first, request.dry_run, request.resume);
    for (const auto& name : request.disks) {
        disks.push_back(inspect_source_disk(name, request.fs, request.discovery, repair));
        if (!names.insert(disks.back().info.name).second)
            throw Error(ExitCode::usage, name + ": another disk is also named '" + disks.back().info.name +
                                             "' in the image (the same disk twice, or two files with one name)");
    }
    std::vector<PartitionSource> source_list;
    for (const auto& disk : disks)
        for (const auto& p : disk.partitions)
            if (p.role == PartitionRole::filesystem || p.role == PartitionRole::raw) source_list.push_back(p.source);

    SaveOutcome outcome;
    outcome.plan = make_plan(request, *repo, disks);
    if (request.dry_run) {
        show_plan(outcome.plan);
        return outcome;
    }
    auto session = request.resume ? ImageSaveSession::resume(*repo, request.image, request.settings)
                                  : ImageSaveSession::start(*repo, request.image, request.settings);
    for (const auto& disk : disks) session->add_disk(manifest_disk(disk));
    try {
        session->check_sources(source_list);
    } catch (const Error& e) {
        session->abandon(e.code());
        throw;
    }
    if (session->resumed()) outcome.plan.warnings.push_back(session->resume_summary());
    show_plan(outcome.plan);
    outcome.manifest = save_all(*session, source_list, outcome.plan.total_used_bytes(), request.verify,
                                request.progress, request.progress_sink,
                                [&](const Manifest&) { write_metadata(*session, request, disks, job_log); });
    for (const auto& p : outcome.manifest.parts)
        for (const auto& f : p.files) outcome.image_bytes += f.bytes;
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return outcome;
}

}  // namespace kura
