// The files Clonezilla's savedisk writes about a disk's layout, in the formats its
// restore scripts (ocs-sr, ocs-functions) read - docs/partition-tables.md, "Clonezilla's
// files" - and the parsers kura's restoredisk uses so an image saved by ocs-sr restores too.
#pragma once

#include "ptable/partition_table.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kura {

// `<disk>-pt.sf`: exactly what `sfdisk -d /dev/<disk>` prints for this table (partition
// device names from partition_name(disk_name, n) under /dev/).
std::string sfdisk_dump_text(const PartitionTable& table, const std::string& disk_name);
// Reads an `sfdisk -d` dump (kura's or sfdisk's own). Throws Error(image_corrupt) naming
// the line it cannot read. Fields sfdisk omits keep their defaults (sector_size 512).
PartitionTable parse_sfdisk_dump(const std::string& text);

// `<disk>-pt.parted`: `parted -s /dev/<disk> unit s print` as parted 3.5 prints it; ocs-sr
// reads the disk size from its "Disk /dev/<disk>: <N>s" line and the table type from
// "Partition Table:". `model` is the text after "Model: " (parted prints e.g. "ATA QEMU
// HARDDISK (scsi)", "Loopback device (loopback)", " (file)"). `file_systems` fills parted's
// File system column: partition number -> parted's name for it (parted_fs_name); for a
// table of kind none, entry 1 is the whole-disk filesystem (parted's "loop" label).
std::string parted_print_text(const PartitionTable& table, const std::string& disk_name, const std::string& model,
                              std::uint32_t physical_sector, const std::map<int, std::string>& file_systems = {});
// `<disk>-pt.parted.compact`: the same with parted's "compact" sizes (display only).
std::string parted_compact_text(const PartitionTable& table, const std::string& disk_name, const std::string& model,
                                std::uint32_t physical_sector, const std::map<int, std::string>& file_systems = {});
// The name parted gives a filesystem libblkid calls `type` (TYPE) with `version` (VERSION):
// "ext4", "fat32", "linux-swap(v1)", ...; empty for what parted 3.5 does not recognise.
std::string parted_fs_name(const std::string& type, const std::string& version);
// The disk size in sectors from a `-pt.parted` text; throws Error(image_corrupt) if absent.
std::uint64_t parted_disk_sectors(const std::string& parted_text);

// `<disk>-chs.sf`: "cylinders=N", "heads=N", "sectors=N" lines. Clonezilla takes them from
// `sfdisk -g`, which reports 255 heads and 63 sectors per track for disks whose driver
// gives no geometry (and for the tables sfdisk writes), and cylinders as the disk's
// sectors divided by 255*63, rounded down.
std::string chs_sf_text(std::uint64_t disk_sectors, std::uint32_t sector_size);

// GPT copies Clonezilla keeps as fallbacks, read from the disk:
// `<disk>-gpt-1st`: `dd bs=512 count=34` from LBA 0 (protective MBR, primary header,
//   entries); on disks with larger sectors, the same structures in whole logical sectors.
// `<disk>-gpt-2nd`: what ocs-sr's `dd skip=N-32 count=33` gets: the last 32 sectors
//   (16 KiB, backup entry sectors 2-32 and the backup header); with larger sectors, the
//   backup header and its whole entry array.
// `<disk>-gpt.gdisk`: the byte layout `sgdisk -b` writes (MBR, primary header, backup
//   header, 512 bytes each, then the entries), CRCs recomputed as sgdisk does, a damaged
//   header rebuilt from the other one.
std::vector<std::uint8_t> gpt_first_copy(const Device& disk, const PartitionTable& table);
std::vector<std::uint8_t> gpt_second_copy(const Device& disk, const PartitionTable& table);
std::vector<std::uint8_t> sgdisk_backup(const Device& disk, const PartitionTable& table);
// `<disk>-gpt.sgdisk`: the `sgdisk -p` listing of GPT fdisk 1.0.9 (display only).
// `physical_sector` 0 prints the "Sector size (logical)" line sgdisk prints for image
// files; a block device's listing has logical/physical and, when sysfs has one, "Model:".
std::string sgdisk_print_text(const PartitionTable& table, const std::string& disk_path,
                              std::uint32_t physical_sector = 0, const std::string& model = "");

}  // namespace kura
