// Laying a saved table onto a target disk before anything is written. The layout is kept
// sector for sector: partitions never move, so the saved boot code (which may hold
// absolute sector numbers, like GRUB's core.img location) still finds what it points at.
// A larger target only moves GPT's end structures; a smaller one is accepted when every
// partition still ends before the target's usable end. --grow extends the partition that
// ends last (a logical one together with its extended container) to that end.
#include "ptable/partition_table.h"

#include "core/error.h"
#include "ptable/on_disk.h"

#include <algorithm>

namespace kura {
namespace {

std::string mib(std::uint64_t sectors, std::uint32_t ss) {
    return std::to_string((sectors * ss + (1 << 20) - 1) >> 20) + " MiB";
}

std::string missing_text(std::uint64_t sectors, std::uint32_t ss) {
    return sectors == 1 ? "1 more sector (" + mib(1, ss) + ") is needed"
                        : std::to_string(sectors) + " more sectors (" + mib(sectors, ss) + ") are needed";
}

// Sectors at the end of the disk no partition may use: GPT's backup entry array and
// header; nothing for MBR.
std::uint64_t reserved_tail_sectors(const PartitionTable& t, std::uint32_t ss) {
    return t.kind == TableKind::gpt ? 1 + ptable::gpt_entry_sectors(t.gpt_entries, ss) : 0;
}

}  // namespace

std::uint64_t min_target_sectors(const PartitionTable& saved) {
    if (saved.kind == TableKind::none) return saved.disk_sectors;
    const std::uint64_t reserved = reserved_tail_sectors(saved, saved.sector_size);
    std::uint64_t end = 1;  // the MBR (protective, for GPT) at least
    if (saved.kind == TableKind::gpt) end = std::max<std::uint64_t>(end, saved.first_lba + 1);
    for (const auto& p : saved.partitions) end = std::max(end, p.end());
    return end + reserved;
}

PartitionTable fit_table(const PartitionTable& saved, std::uint64_t target_sectors, std::uint32_t target_sector_size,
                         bool grow_last) {
    if (target_sector_size != saved.sector_size)
        throw Error(ExitCode::target_refused,
                    "the image's partition table uses " + std::to_string(saved.sector_size) +
                        "-byte sectors but the target disk has " + std::to_string(target_sector_size) +
                        "-byte sectors; every partition offset would be wrong, so kura does not restore it there");
    PartitionTable t = saved;
    t.disk_sectors = target_sectors;
    const std::uint32_t ss = target_sector_size;

    // One past the last sector a partition may use on the target.
    std::uint64_t usable_end = target_sectors;
    if (t.kind == TableKind::gpt) {
        // The backup header takes the last sector, its entry array the ones before it.
        const std::uint64_t reserved = reserved_tail_sectors(t, ss);
        if (target_sectors < reserved + t.first_lba + 1)
            throw Error(ExitCode::target_refused, "the target disk (" + mib(target_sectors, ss) +
                                                      ") is too small for the image's GPT");
        t.last_lba = target_sectors - reserved - 1;
        usable_end = t.last_lba + 1;
    }

    if (t.kind == TableKind::none) {
        if (saved.disk_sectors > target_sectors)
            throw Error(ExitCode::target_refused,
                        "the image holds a filesystem on the whole disk (" + mib(saved.disk_sectors, ss) +
                            "); the target disk (" + mib(target_sectors, ss) + ") is smaller");
        return t;
    }

    for (const auto& p : t.partitions) {
        if (p.end() <= usable_end) continue;
        throw Error(ExitCode::target_refused,
                    "partition " + std::to_string(p.number) + " (sectors " + std::to_string(p.start) + "-" +
                        std::to_string(p.end() - 1) + ") does not fit on the target disk: its last usable sector is " +
                        std::to_string(usable_end - 1) + " (" + mib(target_sectors, ss) + " disk); " +
                        missing_text(p.end() - usable_end, ss));
    }
    if (t.kind == TableKind::gpt)
        for (const auto& p : t.partitions)
            if (p.start < t.first_lba)
                throw Error(ExitCode::target_refused, "GPT partition " + std::to_string(p.number) +
                                                          " starts at sector " + std::to_string(p.start) +
                                                          ", before the first usable sector " +
                                                          std::to_string(t.first_lba));

    if (!grow_last || t.partitions.empty()) return t;

    // The data partition (not an extended container) that ends last grows.
    PartitionEntry* last = nullptr;
    for (auto& p : t.partitions)
        if (!p.is_extended() && (!last || p.end() > last->end())) last = &p;
    if (!last) return t;
    PartitionEntry* container = nullptr;
    if (t.kind == TableKind::mbr && last->number >= 5)
        for (auto& p : t.partitions)
            if (p.is_extended() && p.number <= 4) container = &p;
    // Nothing but its own container may lie between it and the end.
    for (const auto& p : t.partitions)
        if (&p != last && &p != container && p.end() > last->end())
            throw Error(ExitCode::target_refused,
                        "partition " + std::to_string(last->number) + " cannot grow: partition " +
                            std::to_string(p.number) + " follows it");
    auto grow = [&](PartitionEntry& p) {
        std::uint64_t size = usable_end - p.start;
        // An MBR entry holds a 32-bit sector count: past 2 TiB (512-byte sectors) it stops.
        if (t.kind == TableKind::mbr) size = std::min<std::uint64_t>(size, 0xFFFFFFFFull);
        p.size = std::max(p.size, size);
    };
    if (container) grow(*container);
    grow(*last);
    return t;
}

}  // namespace kura
