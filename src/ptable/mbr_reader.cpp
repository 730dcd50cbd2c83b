// The DOS partition table: four entries in sector 0, and for an extended partition the
// chain of EBRs (extended boot records) inside it, each holding one logical partition
// (start relative to that EBR) and a link to the next EBR (start relative to the extended
// partition). Logical partitions are numbered 5, 6, ... in chain order, as the kernel and
// sfdisk number them, so "sda5" means the same partition to all three.
#include "ptable/on_disk.h"

#include "core/error.h"
#include "device/device.h"

#include <cstdio>
#include <set>

namespace kura::ptable {
namespace {

std::string range_text(std::uint64_t start, std::uint64_t size) {
    return "sectors " + std::to_string(start) + "-" + std::to_string(start + size - 1);
}

[[noreturn]] void unusable(const Device& disk, const std::string& what) {
    throw Error(ExitCode::source_unsupported, disk.path() + ": MBR partition table: " + what);
}

void check_inside_disk(const Device& disk, const PartitionEntry& p, std::uint64_t disk_sectors) {
    if (p.end() > disk_sectors)
        unusable(disk, "partition " + std::to_string(p.number) + " (" + range_text(p.start, p.size) +
                           ") extends past the end of the disk (" + std::to_string(disk_sectors) + " sectors)");
}

PartitionEntry to_partition(int number, const MbrEntry& e, std::uint64_t base) {
    PartitionEntry p;
    p.number = number;
    p.start = base + e.start;
    p.size = e.size;
    p.type = mbr_type_text(e.type);
    p.bootable = e.status == 0x80;
    return p;
}

}  // namespace

PartitionTable read_mbr(const Device& disk, std::uint32_t sector_size, const std::vector<std::uint8_t>& s0,
                        std::vector<std::string>& warnings) {
    PartitionTable t;
    t.kind = TableKind::mbr;
    t.sector_size = sector_size;
    t.disk_sectors = disk.size() / sector_size;
    char id[16];
    std::snprintf(id, sizeof id, "0x%08x", le32(s0.data() + mbr_disk_signature));
    t.label_id = id;

    const PartitionEntry* extended = nullptr;
    for (int i = 0; i < 4; ++i) {
        MbrEntry e = mbr_entry(s0.data(), i);
        if (e.size == 0) {
            // The kernel skips an entry of no size; sfdisk lists it unless all 16 bytes
            // are zero, but could not create it again.
            bool cleared = true;
            for (std::size_t b = 0; b < mbr_entry_size; ++b)
                cleared = cleared && s0[mbr_entries + std::size_t(i) * mbr_entry_size + b] == 0;
            if (!cleared)
                warnings.push_back(disk.path() + ": MBR entry " + std::to_string(i + 1) +
                                   " has size 0 and is ignored, as the kernel ignores it");
            continue;
        }
        PartitionEntry p = to_partition(i + 1, e, 0);
        if (e.status != 0x00 && e.status != 0x80)
            warnings.push_back(disk.path() + ": partition " + std::to_string(p.number) +
                               " has boot indicator 0x" + mbr_type_text(e.status) + " (neither 0x00 nor 0x80); it is "
                               "kept as not bootable");
        if (e.start == 0)
            unusable(disk, "partition " + std::to_string(p.number) + " starts at sector 0, over the MBR itself");
        check_inside_disk(disk, p, t.disk_sectors);
        t.partitions.push_back(p);
    }
    for (const auto& p : t.partitions) {
        if (!p.is_extended()) continue;
        if (extended) {
            warnings.push_back(disk.path() + ": partition " + std::to_string(p.number) +
                               " is a second extended partition; like the kernel, kura follows only the EBR chain of "
                               "partition " + std::to_string(extended->number));
            continue;
        }
        extended = &p;
    }
    for (std::size_t a = 0; a < t.partitions.size(); ++a)
        for (std::size_t b = a + 1; b < t.partitions.size(); ++b) {
            const auto& x = t.partitions[a];
            const auto& y = t.partitions[b];
            if (x.start < y.end() && y.start < x.end())
                warnings.push_back(disk.path() + ": partitions " + std::to_string(x.number) + " and " +
                                   std::to_string(y.number) + " overlap");
        }

    if (extended) {
        const std::uint64_t ext_start = extended->start, ext_end = extended->end();
        const int ext_number = extended->number;
        std::vector<PartitionEntry> logicals;
        std::set<std::uint64_t> seen;
        std::uint64_t ebr = ext_start, previous = 0;
        int number = 5;
        while (true) {
            const std::string where = "EBR at sector " + std::to_string(ebr);
            if (!seen.insert(ebr).second)
                unusable(disk, "the EBR chain of extended partition " + std::to_string(ext_number) +
                                   " loops: the EBR at sector " + std::to_string(previous) +
                                   " links back to the EBR at sector " + std::to_string(ebr));
            if (ebr < ext_start || ebr >= ext_end)
                unusable(disk, "the EBR at sector " + std::to_string(previous) + " links to sector " +
                                   std::to_string(ebr) + ", outside extended partition " +
                                   std::to_string(ext_number) + " (" +
                                   range_text(ext_start, ext_end - ext_start) + ")");
            std::vector<std::uint8_t> s = read_sectors(disk, sector_size, ebr, 1);
            if (!has_boot_signature(s.data())) {
                // An extended partition nobody put a logical partition into yet has no EBR
                // at all (fdisk leaves the sector as it was); a link to a sector without
                // one is damage.
                if (ebr == ext_start) break;
                unusable(disk, where + " (linked from the EBR at sector " + std::to_string(previous) +
                                   ") has no 55AA signature");
            }
            MbrEntry data = mbr_entry(s.data(), 0), link = mbr_entry(s.data(), 1);
            if (data.size != 0) {
                PartitionEntry p = to_partition(number++, data, ebr);
                if (data.start == 0)
                    unusable(disk, "logical partition " + std::to_string(p.number) + " in the " + where +
                                       " starts on its own EBR");
                check_inside_disk(disk, p, t.disk_sectors);
                if (p.start < ext_start || p.end() > ext_end)
                    warnings.push_back(disk.path() + ": logical partition " + std::to_string(p.number) + " (" +
                                       range_text(p.start, p.size) + ") is not inside extended partition " +
                                       std::to_string(ext_number) + " (" + range_text(ext_start, ext_end - ext_start) +
                                       ")");
                logicals.push_back(p);
            }
            if (link.empty()) break;
            if (!is_extended_type(link.type)) {
                warnings.push_back(disk.path() + ": the " + where + " links on with type " +
                                   mbr_type_text(link.type) + ", not an extended type; the chain ends there");
                break;
            }
            previous = ebr;
            ebr = ext_start + link.start;
        }
        for (std::size_t a = 0; a < logicals.size(); ++a)
            for (std::size_t b = a + 1; b < logicals.size(); ++b) {
                const auto& x = logicals[a];
                const auto& y = logicals[b];
                if (x.start < y.end() && y.start < x.end())
                    warnings.push_back(disk.path() + ": logical partitions " + std::to_string(x.number) + " and " +
                                       std::to_string(y.number) + " overlap");
            }
        t.partitions.insert(t.partitions.end(), logicals.begin(), logicals.end());
    }
    return t;
}

}  // namespace kura::ptable
