#include "ptable/table_validation.h"

#include "core/checked_math.h"
#include "core/error.h"

#include <limits>
#include <string>
#include <vector>

namespace kura {
namespace {

constexpr std::uint64_t kGptEntrySize = 128;
// An MBR entry (and an EBR's) holds start and size as 32-bit sector counts.
constexpr std::uint64_t kMbrFieldMax = 0xFFFFFFFFull;

[[noreturn]] void refuse(const std::string& why) {
    throw Error(ExitCode::image_corrupt, "partition table: " + why);
}

std::string describe(const PartitionEntry& p) {
    return "partition " + std::to_string(p.number) + " (start " + std::to_string(p.start) + ", size " +
           std::to_string(p.size) + ")";
}

bool overlap(const PartitionEntry& a, const PartitionEntry& b) { return a.start < b.end() && b.start < a.end(); }

void refuse_overlaps(const std::vector<const PartitionEntry*>& entries) {
    for (std::size_t i = 0; i < entries.size(); ++i)
        for (std::size_t j = i + 1; j < entries.size(); ++j)
            if (overlap(*entries[i], *entries[j]))
                refuse(describe(*entries[i]) + " overlaps " + describe(*entries[j]));
}

// Start, size and end in range for any label: no wrap past 2^64, whole bytes addressable.
void check_extent(const PartitionTable& t, const PartitionEntry& p) {
    if (p.size == 0) refuse(describe(p) + " has no sectors");
    auto end = checked_add(p.start, p.size);
    if (!end) refuse(describe(p) + " wraps past 2^64 sectors");
    if (!checked_mul(*end, t.sector_size)) refuse(describe(p) + " ends past 2^64 bytes");
    if (t.disk_sectors != 0 && *end > t.disk_sectors)
        refuse(describe(p) + " ends at sector " + std::to_string(*end) + ", past the end of the disk (" +
               std::to_string(t.disk_sectors) + " sectors)");
}

void validate_mbr(const PartitionTable& t) {
    std::vector<const PartitionEntry*> primaries, logicals;
    const PartitionEntry* extended = nullptr;
    for (const auto& p : t.partitions) {
        if (p.start > kMbrFieldMax || p.size > kMbrFieldMax)
            refuse(describe(p) + " does not fit a DOS table's 32-bit start and size fields");
        if (p.start == 0) refuse(describe(p) + " starts at sector 0, over the MBR itself");
        if (p.number <= 4) {
            if (p.is_extended()) {
                if (extended) refuse("partition " + std::to_string(p.number) + " is a second extended partition");
                extended = &p;
            }
            primaries.push_back(&p);
        } else {
            if (p.is_extended())
                refuse("logical partition " + std::to_string(p.number) + " has an extended type");
            logicals.push_back(&p);
        }
    }
    refuse_overlaps(primaries);
    if (!logicals.empty() && !extended)
        refuse("logical partition " + std::to_string(logicals.front()->number) + " without an extended partition");
    for (const PartitionEntry* l : logicals) {
        // Each logical partition follows its own EBR, which lies inside the extended one.
        if (l->start <= extended->start || l->end() > extended->end())
            refuse("logical " + describe(*l) + " is not inside extended " + describe(*extended));
    }
    refuse_overlaps(logicals);
}

void validate_gpt(const PartitionTable& t) {
    if (t.gpt_entries == 0 || t.gpt_entries > kMaxGptEntries)
        refuse("GPT table-length " + std::to_string(t.gpt_entries) + " is not from 1 to " +
               std::to_string(kMaxGptEntries));
    const std::uint64_t entries_end = gpt_entries_end_sector(t);
    // sfdisk writes first-lba and last-lba; an older or hand-made dump may leave them out.
    const std::uint64_t first = t.first_lba != 0 ? t.first_lba : entries_end;
    if (t.first_lba != 0 && t.first_lba < entries_end)
        refuse("GPT first-lba " + std::to_string(t.first_lba) + " lies inside the header and its " +
               std::to_string(t.gpt_entries) + " entries (they end at sector " + std::to_string(entries_end) + ")");
    if (t.last_lba != 0 && t.last_lba < first)
        refuse("GPT last-lba " + std::to_string(t.last_lba) + " is before first-lba " + std::to_string(first));
    if (t.disk_sectors != 0 && t.last_lba != 0) {
        // The backup entries and header follow the last usable sector.
        auto needed = checked_add(t.last_lba, entries_end);
        if (!needed || *needed > t.disk_sectors)
            refuse("GPT last-lba " + std::to_string(t.last_lba) + " leaves no room for the backup header and " +
                   "entries on a disk of " + std::to_string(t.disk_sectors) + " sectors");
    }
    std::vector<const PartitionEntry*> all;
    for (const auto& p : t.partitions) {
        if (p.number < 1 || static_cast<std::uint64_t>(p.number) > t.gpt_entries)
            refuse("partition number " + std::to_string(p.number) + " is outside the GPT's " +
                   std::to_string(t.gpt_entries) + " entries");
        if (p.start < first)
            refuse(describe(p) + " starts before the first usable sector " + std::to_string(first) +
                   " (over the GPT header or entries)");
        if (t.last_lba != 0 && p.end() - 1 > t.last_lba)
            refuse(describe(p) + " ends after the last usable sector " + std::to_string(t.last_lba));
        all.push_back(&p);
    }
    refuse_overlaps(all);
}

}  // namespace

std::uint64_t gpt_entries_end_sector(const PartitionTable& t) {
    const std::uint64_t entry_bytes = std::uint64_t{t.gpt_entries} * kGptEntrySize;
    return 2 + entry_bytes / t.sector_size + (entry_bytes % t.sector_size != 0 ? 1 : 0);
}

void validate_partition_table(const PartitionTable& t) {
    if (t.sector_size < 512 || t.sector_size > 65536 || !is_power_of_two(t.sector_size))
        refuse("sector-size " + std::to_string(t.sector_size) + " is not a power of two from 512 to 65536");
    if (t.disk_sectors != 0 && !checked_mul(t.disk_sectors, t.sector_size))
        refuse("a disk of " + std::to_string(t.disk_sectors) + " sectors of " + std::to_string(t.sector_size) +
               " bytes is more than 2^64 bytes");
    if (t.kind == TableKind::none) return;
    for (const auto& p : t.partitions) {
        if (p.number < 1 || p.number > kMaxPartitionNumber)
            refuse("partition number " + std::to_string(p.number) + " is not from 1 to " +
                   std::to_string(kMaxPartitionNumber));
        check_extent(t, p);
    }
    if (t.kind == TableKind::mbr) validate_mbr(t);
    else validate_gpt(t);
}

}  // namespace kura
