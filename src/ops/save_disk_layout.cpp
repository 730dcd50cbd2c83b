#include "ops/save_disk_layout.h"

#include "core/units.h"
#include "device/device.h"
#include "image/clonezilla_metadata.h"
#include "ops/disk_source.h"
#include "ptable/clonezilla_table_files.h"


namespace kura {
namespace {

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

}  // namespace

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

void write_disk_layouts(ImageSaveSession& session, const std::vector<SourceDisk>& disks) {
    for (const auto& disk : disks) {
        write_disk_layout(session, disk);
        for (const auto& p : disk.partitions)
            if (p.role == PartitionRole::swap) session.write_file("swappt-" + p.name + ".info", swap_info_text(p.probe));
    }
}

}  // namespace kura
