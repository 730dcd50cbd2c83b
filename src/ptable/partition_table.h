// A disk's partition table as data: MBR (with its extended/logical chain), GPT (both
// headers and entry arrays checked), or none (a filesystem on the whole disk). Read by
// kura itself so damage is named precisely; written back with libfdisk, so the result is
// what sfdisk would have made from Clonezilla's `<disk>-pt.sf`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

class Device;

enum class TableKind { none, mbr, gpt };

std::string table_kind_name(TableKind kind);  // "none", "dos", "gpt" (sfdisk's label names)

struct PartitionEntry {
    int number = 0;              // 1-4 primary/extended, 5+ logical (MBR); 1-128 (GPT)
    std::uint64_t start = 0;     // in logical sectors
    std::uint64_t size = 0;      // in logical sectors
    std::string type;            // MBR: hex as sfdisk prints it ("83", "c", "5"); GPT: type GUID, upper case
    std::string uuid;            // GPT partition GUID, upper case; empty for MBR
    std::string name;            // GPT partition name (UTF-8); empty for MBR
    std::string attrs;           // GPT attributes as sfdisk prints them ("RequiredPartition GUID:63"), or empty
    bool bootable = false;       // MBR active flag

    bool is_extended() const;    // MBR types 5, f, 85
    std::uint64_t end() const { return start + size; }  // one past the last sector
};

struct PartitionTable {
    TableKind kind = TableKind::none;
    std::uint32_t sector_size = 512;   // logical sector size of the disk it was read from
    std::uint64_t disk_sectors = 0;    // the disk's size in logical sectors
    std::string label_id;              // MBR "0x1234abcd"; GPT disk GUID, upper case
    std::uint64_t first_lba = 0;       // GPT: first and last usable sectors; 0 for MBR
    std::uint64_t last_lba = 0;
    std::uint32_t gpt_entries = 128;   // GPT: entries in the array (its length in the header)
    bool pmbr_boot = false;            // GPT: the protective MBR's entry is marked active (parted's
                                       // "pmbr_boot"; some BIOSes boot a GPT disk only then)
    std::vector<PartitionEntry> partitions;  // sorted by number

    const PartitionEntry* find(int number) const;
    // The lowest start of any partition (the end of the boot area), or disk_sectors when empty.
    std::uint64_t first_partition_start() const;
    // One past the last sector any partition uses.
    std::uint64_t end_of_partitions() const;
};

// Reads and checks the table on `disk` (a whole disk or a disk image file).
// MBR: signature, entries inside the disk, the EBR chain (loops, links outside the
// extended partition). GPT: protective MBR, primary header and entries with their CRCs,
// the backup header and entries. A damaged backup GPT or an inconsistent but usable table
// adds a line to `warnings`; what cannot be used throws Error(source_unsupported) naming
// the structure and what is wrong. A FAT or NTFS boot sector at sector 0 (it ends in 55AA
// like an MBR) is a whole-disk filesystem: TableKind::none.
PartitionTable read_partition_table(const Device& disk, std::uint32_t logical_sector,
                                    std::vector<std::string>& warnings);

// The table laid onto a target of `target_sectors` (same sector size required): GPT's
// last usable LBA moves to the new end; with `grow_last`, the partition that ends last
// grows to the end of the usable space. Throws Error(target_refused) naming the first
// partition that would not fit, before anything is written.
PartitionTable fit_table(const PartitionTable& saved, std::uint64_t target_sectors, std::uint32_t target_sector_size,
                         bool grow_last);
// The fewest sectors (of the table's own size) a target needs for fit_table() to accept
// `saved`: past the end of its last partition, room for GPT's backup entries and header;
// for TableKind::none the saved disk's size. What the menu offers as "at least" a target.
std::uint64_t min_target_sectors(const PartitionTable& saved);

// Writes `table` onto `target` with libfdisk, fed kura's `-pt.sf` dump as sfdisk is fed
// Clonezilla's (without last-lba), so the bytes are those sfdisk would write: label id,
// partition GUIDs, names, types, attributes and the bootable flag kept, GPT's backup
// header and entries at the target's end, the protective MBR's active flag restored.
// Before that it zeroes what no partition covers at the start (after sector 0, up to
// 1 MiB) and the end (the last MiB), and any old GPT header, so no stale table or
// whole-disk signature survives; libfdisk's own wipe is off. Afterwards the table is
// read back and compared. A partition that does not fit (call fit_table first) is
// refused before anything is written. Does not touch boot code beyond the table (the
// caller writes the saved boot code and the post-MBR gap itself). For TableKind::none it
// only clears the MBR entries and GPT headers of a former table.
void write_partition_table(Device& target, const PartitionTable& table);

// Makes the kernel see the new table (BLKRRPART, falling back to BLKPG per partition,
// which is what works for a loop device attached without partition scanning) and waits
// up to 10 s until sysfs shows every partition at its offset and its /dev node exists.
// A no-op for a regular file.
void reread_partitions(Device& target, const PartitionTable& table);

}  // namespace kura
