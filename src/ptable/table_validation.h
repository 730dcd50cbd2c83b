// The last word on a partition table read from an image (`<disk>-pt.sf`): before any
// caller may lay it onto a target, every number in it must describe a table sfdisk could
// write - partitions that neither overlap each other nor the structures of the table
// itself, that do not wrap past 2^64 and fit the fields of their label, numbered as the
// label allows, and (once the saved disk's size is known) inside that disk.
#pragma once

#include "ptable/partition_table.h"

#include <cstdint>

namespace kura {

// The largest partition number the kernel gives a block device (DISK_MAX_PARTS).
inline constexpr int kMaxPartitionNumber = 256;
// The largest GPT entry array sfdisk's table-length and kura accept (128 entries is usual).
inline constexpr std::uint32_t kMaxGptEntries = 4096;

// Throws Error(image_corrupt) naming the partition (or header field) and the numbers that
// are wrong. `table.disk_sectors` 0 means the disk's size is not known yet; the checks
// that need it are then left for the call that knows it.
void validate_partition_table(const PartitionTable& table);

// The first sector after GPT's primary header and entry array (where partitions may start).
std::uint64_t gpt_entries_end_sector(const PartitionTable& table);

}  // namespace kura
