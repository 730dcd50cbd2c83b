// The files Clonezilla's savedisk writes about a disk's layout, in the formats its
// restore scripts read (../shared/formats/partclone-clonezilla.md, section 4), and the
// parsers kura's restoredisk uses so an image saved by ocs-sr restores too.
#pragma once

#include "ptable/partition_table.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

// `<disk>-pt.sf`: exactly what `sfdisk -d /dev/<disk>` prints for this table (partition
// device names from partition_name(disk_name, n) under /dev/).
std::string sfdisk_dump_text(const PartitionTable& table, const std::string& disk_name);
// Reads an `sfdisk -d` dump (kura's or sfdisk's own). Throws Error(image_corrupt) naming
// the line it cannot read. Fields sfdisk omits keep their defaults (sector_size 512).
PartitionTable parse_sfdisk_dump(const std::string& text);

// `<disk>-pt.parted`: `parted -s /dev/<disk> unit s print` as parted prints it; ocs-sr
// reads the disk size from its "Disk /dev/<disk>: <N>s" line.
std::string parted_print_text(const PartitionTable& table, const std::string& disk_name, const std::string& model,
                              std::uint32_t physical_sector);
// `<disk>-pt.parted.compact`: the same with human sizes (display only).
std::string parted_compact_text(const PartitionTable& table, const std::string& disk_name, const std::string& model,
                                std::uint32_t physical_sector);
// The disk size in sectors from a `-pt.parted` text; throws Error(image_corrupt) if absent.
std::uint64_t parted_disk_sectors(const std::string& parted_text);

// `<disk>-chs.sf`: cylinders=, heads=, sectors= lines, as Clonezilla derives them.
std::string chs_sf_text(std::uint64_t disk_sectors, std::uint32_t sector_size);

// GPT copies Clonezilla keeps as fallbacks, read from the disk:
// `<disk>-gpt-1st` (LBA 0..33), `<disk>-gpt-2nd` (the last 32 sectors), and
// `<disk>-gpt.gdisk` (the byte layout `sgdisk -b` writes).
std::vector<std::uint8_t> gpt_first_copy(const Device& disk, const PartitionTable& table);
std::vector<std::uint8_t> gpt_second_copy(const Device& disk, const PartitionTable& table);
std::vector<std::uint8_t> sgdisk_backup(const Device& disk, const PartitionTable& table);
// `<disk>-gpt.sgdisk`: the `sgdisk -p` listing (display only).
std::string sgdisk_print_text(const PartitionTable& table, const std::string& disk_path);

}  // namespace kura
