// `<disk>-pt.sf`: the `sfdisk -d` dump Clonezilla saves and feeds back to sfdisk on
// restore. The writer prints what sfdisk 2.38 prints, field for field, so an image kura
// saves reads the same to ocs-sr (the parser is sfdisk_dump_parser.cpp).
#include "ptable/clonezilla_table_files.h"

#include "core/error.h"
#include "device/partition_name.h"
#include "ptable/on_disk.h"

#include <cinttypes>
#include <cstdio>
#include <sstream>

namespace kura {

std::string sfdisk_dump_text(const PartitionTable& t, const std::string& disk_name) {
    if (t.kind == TableKind::none)
        throw Error(ExitCode::internal, "/dev/" + disk_name + " has no partition table to dump");
    std::ostringstream out;
    out << "label: " << table_kind_name(t.kind) << "\n";
    if (!t.label_id.empty()) out << "label-id: " << t.label_id << "\n";  // sfdisk always has one
    out << "device: /dev/" << disk_name << "\n";
    out << "unit: sectors\n";
    if (t.kind == TableKind::gpt) {
        out << "first-lba: " << t.first_lba << "\n";
        out << "last-lba: " << t.last_lba << "\n";
        if (t.gpt_entries != 128) out << "table-length: " << t.gpt_entries << "\n";
    }
    out << "sector-size: " << t.sector_size << "\n\n";
    for (const auto& p : t.partitions) {
        char nums[64];
        std::snprintf(nums, sizeof nums, "start=%12" PRIu64 ", size=%12" PRIu64, p.start, p.size);
        out << "/dev/" << partition_name(disk_name, p.number) << " : " << nums << ", type=" << p.type;
        if (!p.uuid.empty()) out << ", uuid=" << p.uuid;
        if (!p.name.empty()) out << ", name=\"" << ptable::sfdisk_quote(p.name) << "\"";
        if (!p.attrs.empty()) out << ", attrs=\"" << p.attrs << "\"";
        if (p.bootable) out << ", bootable";
        out << "\n";
    }
    return out.str();
}

}  // namespace kura
