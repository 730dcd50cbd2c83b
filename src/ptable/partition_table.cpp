#include "ptable/partition_table.h"

#include <algorithm>

namespace kura {

std::string table_kind_name(TableKind kind) {
    switch (kind) {
        case TableKind::mbr: return "dos";
        case TableKind::gpt: return "gpt";
        case TableKind::none: break;
    }
    return "none";
}

bool PartitionEntry::is_extended() const { return type == "5" || type == "f" || type == "85"; }

const PartitionEntry* PartitionTable::find(int number) const {
    for (const auto& p : partitions)
        if (p.number == number) return &p;
    return nullptr;
}

std::uint64_t PartitionTable::first_partition_start() const {
    std::uint64_t first = disk_sectors;
    for (const auto& p : partitions) first = std::min(first, p.start);
    return first;
}

std::uint64_t PartitionTable::end_of_partitions() const {
    std::uint64_t end = 0;
    for (const auto& p : partitions) end = std::max(end, p.end());
    return end;
}

}  // namespace kura
