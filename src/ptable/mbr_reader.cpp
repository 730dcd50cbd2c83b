// The DOS partition table: four entries in sector 0, and for an extended partition the
// chain of EBRs (extended boot records) inside it, each holding one logical partition
// (start relative to that EBR) and a link to the next EBR (start relative to the extended
// partition). Logical partitions are numbered 5, 6, ... in chain order, as the kernel and
// sfdisk number them, so "sda5" means the same partition to all three.
#include "ptable/on_disk.h"

#include "core/error.h"
#include "device/device.h"

#include <cstdio>
#include <optional>
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

// The four entries of sector 0; an entry of no size is skipped, as the kernel skips it.
void read_primary_entries(const Device& disk, const std::vector<std::uint8_t>& s0, PartitionTable& t,
                          std::vector<std::string>& warnings) {
    for (int i = 0; i < 4; ++i) {
        MbrEntry e = mbr_entry(s0.data(), i);
        if (e.size == 0) {
            // sfdisk lists such an entry unless all 16 bytes are zero, but could not create it again.
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
}

// The extended partition whose EBR chain holds the logical partitions: the first one, as
// the kernel takes it.
std::optional<PartitionEntry> first_extended(const Device& disk, const PartitionTable& t,
                                             std::vector<std::string>& warnings) {
    std::optional<PartitionEntry> extended;
    for (const auto& p : t.partitions) {
        if (!p.is_extended()) continue;
        if (extended) {
            warnings.push_back(disk.path() + ": partition " + std::to_string(p.number) +
                               " is a second extended partition; like the kernel, kura follows only the EBR chain of "
                               "partition " + std::to_string(extended->number));
            continue;
        }
        extended = p;
    }
    return extended;
}

// `kind` is "partitions" or "logical partitions", for the warning.
void warn_overlaps(const Device& disk, const std::vector<PartitionEntry>& list, const std::string& kind,
                   std::vector<std::string>& warnings) {
    for (std::size_t a = 0; a < list.size(); ++a)
        for (std::size_t b = a + 1; b < list.size(); ++b) {
            const auto& x = list[a];
            const auto& y = list[b];
            if (x.start < y.end() && y.start < x.end())
                warnings.push_back(disk.path() + ": " + kind + " " + std::to_string(x.number) + " and " +
                                   std::to_string(y.number) + " overlap");
        }
}

// The logical partitions, numbered 5, 6, ... along the EBR chain; a chain that loops or
// leaves its extended partition is refused.
std::vector<PartitionEntry> read_ebr_chain(const Device& disk, std::uint32_t sector_size,
                                           const PartitionEntry& extended, std::uint64_t disk_sectors,
                                           std::vector<std::string>& warnings) {
    const std::uint64_t ext_start = extended.start, ext_end = extended.end();
    const int ext_number = extended.number;
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
                               std::to_string(ebr) + ", outside extended partition " + std::to_string(ext_number) +
                               " (" + range_text(ext_start, ext_end - ext_start) + ")");
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
            check_inside_disk(disk, p, disk_sectors);
            if (p.start < ext_start || p.end() > ext_end)
                warnings.push_back(disk.path() + ": logical partition " + std::to_string(p.number) + " (" +
                                   range_text(p.start, p.size) + ") is not inside extended partition " +
                                   std::to_string(ext_number) + " (" + range_text(ext_start, ext_end - ext_start) +
                                   ")");
            logicals.push_back(p);
        }
        if (link.empty()) break;
        if (!is_extended_type(link.type)) {
            warnings.push_back(disk.path() + ": the " + where + " links on with type " + mbr_type_text(link.type) +
                               ", not an extended type; the chain ends there");
            break;
        }
        previous = ebr;
        ebr = ext_start + link.start;
    }
    return logicals;
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
    read_primary_entries(disk, s0, t, warnings);
    const std::optional<PartitionEntry> extended = first_extended(disk, t, warnings);
    warn_overlaps(disk, t.partitions, "partitions", warnings);
    if (extended) {
        std::vector<PartitionEntry> logicals = read_ebr_chain(disk, sector_size, *extended, t.disk_sectors, warnings);
        warn_overlaps(disk, logicals, "logical partitions", warnings);
        t.partitions.insert(t.partitions.end(), logicals.begin(), logicals.end());
    }
    return t;
}

}  // namespace kura::ptable
