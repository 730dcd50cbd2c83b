// The on-disk pieces of MBR and GPT that kura's readers, checks and copy writers share:
// little-endian fields, GUIDs in their mixed-endian disk order, the header layout of GPT,
// its CRC-32 (zlib's: the one UEFI specifies, unlike partclone's variant in core/crc32),
// partition names in UTF-16LE, and the text forms sfdisk uses for attributes and names.
// Internal to src/ptable/.
#pragma once

#include "core/byte_order.h"
#include "ptable/partition_table.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kura {

class Device;

namespace ptable {

using kura::le16;
using kura::le32;
using kura::le64;
using kura::put_le32;

// MBR layout (the same 512 bytes at the start of sector 0 whatever the sector size).
inline constexpr std::size_t mbr_size = 512;
inline constexpr std::size_t mbr_disk_signature = 440;  // the 32-bit "label-id" of sfdisk
inline constexpr std::size_t mbr_entries = 446;          // four 16-byte entries
inline constexpr std::size_t mbr_entry_size = 16;
inline constexpr std::uint8_t mbr_type_gpt_protective = 0xEE;

bool has_boot_signature(const std::uint8_t* sector);  // 55 AA at bytes 510-511

struct MbrEntry {
    std::uint8_t status = 0;    // 0x80 active, 0x00 inactive
    std::uint8_t type = 0;
    std::uint32_t start = 0;    // LBA (relative to the EBR or the extended partition for logicals)
    std::uint32_t size = 0;
    bool empty() const { return type == 0 || size == 0; }  // no partition, no link
};
MbrEntry mbr_entry(const std::uint8_t* sector, int index);
bool is_extended_type(std::uint8_t type);
std::string mbr_type_text(std::uint8_t type);  // "83", "c", "5": lower-case hex without 0x, as sfdisk

// GPT header (UEFI 2.x, "EFI PART", revision 1.0).
inline constexpr std::uint32_t gpt_min_header_size = 92;
inline constexpr std::uint32_t gpt_entry_size = 128;

struct GptHeader {
    std::uint32_t revision = 0;
    std::uint32_t header_size = 0;
    std::uint32_t header_crc = 0;
    std::uint64_t my_lba = 0;
    std::uint64_t alternate_lba = 0;
    std::uint64_t first_usable = 0;
    std::uint64_t last_usable = 0;
    std::string disk_guid;
    std::uint64_t entries_lba = 0;
    std::uint32_t entry_count = 0;
    std::uint32_t entry_size = 0;
    std::uint32_t entries_crc = 0;

    std::uint64_t entries_bytes() const { return std::uint64_t(entry_count) * entry_size; }
};

// Parses and checks one header sector read from `lba`; returns what is wrong with it (the
// first problem found, in words a person can act on) or an empty string.
std::string parse_gpt_header(const std::uint8_t* sector, std::uint32_t sector_size, std::uint64_t lba,
                             std::uint64_t disk_sectors, GptHeader& out);

// UEFI's CRC-32 (reflected 0x04C11DB7, inverted in and out: zlib's crc32()).
std::uint32_t gpt_crc32(const void* data, std::size_t length);

// GUID bytes as stored on disk (first three fields little-endian) to upper-case text and back.
std::string guid_text(const std::uint8_t* p);
bool guid_bytes(const std::string& text, std::uint8_t* out);
bool guid_is_zero(const std::uint8_t* p);

// Partition names: 36 UTF-16LE code units on disk, UTF-8 in the model.
std::string utf16le_name(const std::uint8_t* p, std::size_t units);

// GPT attribute bits as sfdisk writes them: "RequiredPartition NoBlockIOProtocol
// LegacyBIOSBootable GUID:48,60"; bits 3-47 (reserved by UEFI) have no text form.
std::string gpt_attrs_text(std::uint64_t bits);
// The reverse; accepts the three names, "GUID:n[,m]" lists and bare bit numbers 48-63.
// Returns false for a word it does not know.
bool gpt_attrs_bits(const std::string& text, std::uint64_t& bits);

// A string as sfdisk quotes it in a dump: printable ASCII kept, '"', '\\', '`' and '$'
// and every other byte as \xNN (lower-case hex).
std::string sfdisk_quote(const std::string& text);

// Reads whole logical sectors [lba, lba + count) of `disk`.
std::vector<std::uint8_t> read_sectors(const Device& disk, std::uint32_t sector_size, std::uint64_t lba,
                                       std::uint64_t count);

// The readers behind read_partition_table: sector 0 already read, its signature checked.
PartitionTable read_mbr(const Device& disk, std::uint32_t sector_size, const std::vector<std::uint8_t>& sector0,
                        std::vector<std::string>& warnings);
PartitionTable read_gpt(const Device& disk, std::uint32_t sector_size, const std::vector<std::uint8_t>& sector0,
                        std::vector<std::string>& warnings);

// GPT entries needed for `entries` entries, in sectors (the array is padded to whole sectors).
std::uint64_t gpt_entry_sectors(std::uint32_t entries, std::uint32_t sector_size);

}  // namespace ptable
}  // namespace kura
