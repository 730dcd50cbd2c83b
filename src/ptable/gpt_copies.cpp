// The raw GPT copies Clonezilla keeps beside `-pt.sf` as fallbacks for its restore, and
// the `sgdisk -p` listing:
//   -gpt-1st    `dd bs=512 count=34` from LBA 0: protective MBR, header, 32 entry sectors.
//   -gpt-2nd    `dd skip=N-32 count=33` (bs=512): reads past the end, so it holds the last
//               32 sectors only (backup entry sectors 2-32 and the backup header).
//   -gpt.gdisk  `sgdisk -b`: 512 bytes of MBR, 512 of the primary header, 512 of the
//               backup header, then the entry array (128 x 128 bytes) - whatever the
//               sector size, since sgdisk writes the file in 512-byte units.
// Clonezilla's dd counts assume 512-byte sectors; on 4Kn disks kura keeps the same meaning
// (the whole primary GPT; the backup header and its entries) in logical sectors instead.
#include "ptable/clonezilla_table_files.h"

#include "core/error.h"
#include "device/device.h"
#include "ptable/on_disk.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace kura {
namespace {

void require_gpt(const PartitionTable& t, const Device& disk) {
    if (t.kind != TableKind::gpt) throw Error(ExitCode::internal, disk.path() + ": not a GPT disk");
}

// A header sector's first 512 bytes with `entries_crc` and the header CRC recomputed, the
// way sgdisk recomputes both before it writes a backup file.
void reseal(std::uint8_t* h, std::uint32_t entries_crc) {
    ptable::put_le32(h + 88, entries_crc);
    std::uint32_t size = std::min<std::uint32_t>(ptable::le32(h + 12), 512);
    ptable::put_le32(h + 16, 0);
    ptable::put_le32(h + 16, ptable::gpt_crc32(h, size));
}

}  // namespace

std::vector<std::uint8_t> gpt_first_copy(const Device& disk, const PartitionTable& t) {
    require_gpt(t, disk);
    std::uint64_t bytes = std::max<std::uint64_t>(34 * 512, (2 + ptable::gpt_entry_sectors(t.gpt_entries, t.sector_size)) * t.sector_size);
    bytes = std::min<std::uint64_t>(bytes, disk.size());
    std::vector<std::uint8_t> out(bytes);
    disk.read_at(out.data(), out.size(), 0);
    return out;
}

std::vector<std::uint8_t> gpt_second_copy(const Device& disk, const PartitionTable& t) {
    require_gpt(t, disk);
    std::uint64_t bytes = t.sector_size == 512
                              ? 32 * 512
                              : (1 + ptable::gpt_entry_sectors(t.gpt_entries, t.sector_size)) * t.sector_size;
    const std::uint64_t end = disk.size() / t.sector_size * t.sector_size;
    bytes = std::min(bytes, end);
    std::vector<std::uint8_t> out(bytes);
    disk.read_at(out.data(), out.size(), end - bytes);
    return out;
}

std::vector<std::uint8_t> sgdisk_backup(const Device& disk, const PartitionTable& t) {
    require_gpt(t, disk);
    using namespace ptable;
    const std::uint32_t ss = t.sector_size;
    const std::uint64_t disk_sectors = disk.size() / ss;
    std::vector<std::uint8_t> s0 = read_sectors(disk, ss, 0, 1);
    std::vector<std::uint8_t> h1 = read_sectors(disk, ss, 1, 1);
    GptHeader primary, backup;
    const bool primary_ok = parse_gpt_header(h1.data(), ss, 1, disk_sectors, primary).empty();
    std::uint64_t backup_lba = primary_ok ? primary.alternate_lba : disk_sectors - 1;
    std::vector<std::uint8_t> h2(ss, 0);
    bool backup_ok = false;
    if (backup_lba < disk_sectors) {
        h2 = read_sectors(disk, ss, backup_lba, 1);
        backup_ok = parse_gpt_header(h2.data(), ss, backup_lba, disk_sectors, backup).empty();
    }
    if (!primary_ok && !backup_ok)
        throw Error(ExitCode::source_unsupported, disk.path() + ": neither GPT header is intact; no sgdisk backup");

    // sgdisk rebuilds a damaged header from the other one: locations swapped, entries just
    // past the last usable LBA (backup) or at LBA 2 (primary).
    if (!backup_ok) {
        h2.assign(h1.begin(), h1.end());
        std::uint8_t* p = h2.data();
        for (int i = 0; i < 8; ++i) std::swap(p[24 + i], p[32 + i]);
        std::uint64_t entries = primary.last_usable + 1;
        for (int i = 0; i < 8; ++i) p[72 + i] = std::uint8_t(entries >> (8 * i));
    } else if (!primary_ok) {
        h1.assign(h2.begin(), h2.end());
        std::uint8_t* p = h1.data();
        for (int i = 0; i < 8; ++i) std::swap(p[24 + i], p[32 + i]);
        for (int i = 0; i < 8; ++i) p[72 + i] = std::uint8_t(i == 0 ? 2 : 0);
    }
    const GptHeader& used = primary_ok ? primary : backup;
    std::vector<std::uint8_t> entries = read_sectors(disk, ss, used.entries_lba, (used.entries_bytes() + ss - 1) / ss);
    entries.resize(used.entries_bytes());
    const std::uint32_t crc = gpt_crc32(entries.data(), entries.size());

    std::vector<std::uint8_t> out(3 * 512);
    std::memcpy(out.data(), s0.data(), 512);
    std::memcpy(out.data() + 512, h1.data(), 512);
    std::memcpy(out.data() + 1024, h2.data(), 512);
    reseal(out.data() + 512, crc);
    reseal(out.data() + 1024, crc);
    out.insert(out.end(), entries.begin(), entries.end());
    return out;
}

namespace {

// GPT fdisk's four-digit type codes for the types found on servers and PCs; the listing
// shows FFFF for any other type, as sgdisk does for a GUID it does not know.
struct TypeCode {
    const char* guid;
    unsigned code;
};
constexpr TypeCode type_codes[] = {
    {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", 0x0700}, {"E3C9E316-0B5C-4DB8-817D-F92DF00215AE", 0x0C01},
    {"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", 0x2700}, {"9E1A2D38-C612-4316-AA26-8B49521E5A8B", 0x4100},
    {"AF9B60A0-1431-4F62-BC68-3311714A69AD", 0x4200}, {"5808C8AA-7E8F-42E0-85D2-E1E90434CFB3", 0x4201},
    {"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", 0x8200}, {"0FC63DAF-8483-4772-8E79-3D69D8477DE4", 0x8300},
    {"933AC7E1-2EB4-4F13-B844-0E14E2AEF915", 0x8302}, {"44479540-F297-41B2-9AF7-D131D5F0458A", 0x8303},
    {"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", 0x8304}, {"B921B045-1DF0-41C3-AF44-4C6F280D3FAE", 0x8305},
    {"3B8F8425-20E0-4F3B-907F-1A25A76F98E8", 0x8306}, {"7FFEC5C9-2D00-49B7-8941-3EA10A5586B7", 0x8308},
    {"CA7D7CCB-63ED-4C53-861C-1742536059CC", 0x8309}, {"4D21B016-B534-45C2-A9FB-5C16E091FD2D", 0x8310},
    {"D3BFE2DE-3DAF-11DF-BA40-E3A556D89593", 0x8400}, {"E6D6D379-F507-44C2-A23C-238F2A3DF928", 0x8E00},
    {"516E7CB4-6ECF-11D6-8FF8-00022D09712B", 0xA500}, {"83BD6B9D-7F41-11DC-BE0B-001560B84F0F", 0xA501},
    {"516E7CB5-6ECF-11D6-8FF8-00022D09712B", 0xA502}, {"516E7CB6-6ECF-11D6-8FF8-00022D09712B", 0xA503},
    {"516E7CBA-6ECF-11D6-8FF8-00022D09712B", 0xA504}, {"426F6F74-0000-11AA-AA11-00306543ECAC", 0xAB00},
    {"48465300-0000-11AA-AA11-00306543ECAC", 0xAF00}, {"7C3457EF-0000-11AA-AA11-00306543ECAC", 0xAF0A},
    {"6A82CB45-1DD2-11B2-99A6-080020736631", 0xBE00}, {"6A85CF4D-1DD2-11B2-99A6-080020736631", 0xBF00},
    {"6A898CC3-1DD2-11B2-99A6-080020736631", 0xBF01}, {"6A87C46F-1DD2-11B2-99A6-080020736631", 0xBF02},
    {"75894C1E-3AEB-11D3-B7C1-7B03A0000000", 0xC001}, {"E2A1E728-32E3-11D6-A682-7B03A0000000", 0xC002},
    {"BC13C2FF-59E6-4262-A352-B275FD6F7172", 0xEA00}, {"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", 0xEF00},
    {"024DEE41-33E7-11D3-9D69-0008C781F39F", 0xEF01}, {"21686148-6449-6E6F-744E-656564454649", 0xEF02},
    {"AA31E02A-400F-11DB-9590-000C2911D1B8", 0xFB00}, {"9198EFFC-31C0-11DB-8F78-000C2911D1B8", 0xFB01},
    {"9D275380-40AD-11DB-BF97-000C2911D1B8", 0xFC00}, {"A19D880F-05FC-4D3B-A006-743F0F84911E", 0xFD00},
    {"FE3A2A5D-4F32-41A7-B725-ACCC3285A309", 0x7F00}, {"3CB8E202-3B7E-47DD-8A3C-7FF2A13CFCEC", 0x7F01},
};

unsigned type_code(const std::string& guid) {
    for (const auto& t : type_codes)
        if (guid == t.guid) return t.code;
    return 0xFFFF;
}

// GPT fdisk's size text: the value divided by 1024 (whole steps) while above 1024, one
// decimal from the remainder rounded half up, "bytes" below 1 KiB.
std::string ieee_size(std::uint64_t sectors, std::uint32_t sector_size) {
    std::uint64_t value = sectors * sector_size, previous = value;
    const char prefixes[] = " KMGTPEZ";
    int index = 0;
    while (value > 1024 && index < 7) {
        ++index;
        previous = value;
        value /= 1024;
    }
    if (index == 0) return std::to_string(value) + " bytes";
    float tenth = (float(previous) - float(value) * 1024.0f + 51.2f) / 102.4f;
    if (tenth >= 10.0f) {
        tenth = 0;
        ++value;
    }
    return std::to_string(value) + "." + std::to_string(unsigned(tenth)) + " " + prefixes[index] + "iB";
}

// Names longer than 22 characters show as their first 19 and "...".
std::string short_name(const std::string& name) {
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < name.size(); ++i)
        if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) starts.push_back(i);
    if (starts.size() <= 22) return name;
    return name.substr(0, starts[19]) + "...";
}

}  // namespace

std::string sgdisk_print_text(const PartitionTable& t, const std::string& disk_path, std::uint32_t physical_sector,
                              const std::string& model) {
    if (t.kind != TableKind::gpt) throw Error(ExitCode::internal, disk_path + ": not a GPT disk");
    const std::uint32_t ss = t.sector_size;
    std::ostringstream out;
    out << "Disk " << disk_path << ": " << t.disk_sectors << " sectors, " << ieee_size(t.disk_sectors, ss) << "\n";
    if (!model.empty()) out << "Model: " << model << "\n";
    if (physical_sector)
        out << "Sector size (logical/physical): " << ss << "/" << physical_sector << " bytes\n";
    else
        out << "Sector size (logical): " << ss << " bytes\n";
    out << "Disk identifier (GUID): " << t.label_id << "\n";
    out << "Partition table holds up to " << t.gpt_entries << " entries\n";
    out << "Main partition table begins at sector 2 and ends at sector "
        << 2 + ptable::gpt_entry_sectors(t.gpt_entries, ss) - 1 << "\n";
    out << "First usable sector is " << t.first_lba << ", last usable sector is " << t.last_lba << "\n";

    // The largest power of two (up to 1 MiB worth of sectors) dividing every start; at
    // least 8 on disks of 800 GB and more, for Advanced Format drives.
    int exponent = 0;
    for (std::uint32_t a = 2048u * 512u / ss; a > 1; a >>= 1) ++exponent;
    for (const auto& p : t.partitions)
        while (exponent > 0 && p.start % (std::uint64_t(1) << exponent) != 0) --exponent;
    std::uint64_t alignment = std::uint64_t(1) << exponent;
    if (alignment < 8 && t.disk_sectors >= 1677721600ull) alignment = 8;
    out << "Partitions will be aligned on " << alignment << "-sector boundaries\n";

    std::uint64_t used = 0;
    for (const auto& p : t.partitions) {
        std::uint64_t a = std::max(p.start, t.first_lba), b = std::min(p.end(), t.last_lba + 1);
        if (b > a) used += b - a;
    }
    const std::uint64_t usable = t.last_lba + 1 > t.first_lba ? t.last_lba + 1 - t.first_lba : 0;
    const std::uint64_t free_sectors = usable > used ? usable - used : 0;
    out << "Total free space is " << free_sectors << " sectors (" << ieee_size(free_sectors, ss) << ")\n\n";
    out << "Number  Start (sector)    End (sector)  Size       Code  Name\n";
    for (const auto& p : t.partitions) {
        char line[128];
        const std::string size = ieee_size(p.size, ss);
        std::snprintf(line, sizeof line, "%4d  %14" PRIu64 "  %14" PRIu64 "   %s  ", p.number, p.start, p.end() - 1,
                      size.c_str());
        out << line;
        if (size.size() < 10) out << std::string(10 - size.size(), ' ');
        std::snprintf(line, sizeof line, "%04X  ", type_code(p.type));
        out << line << short_name(p.name) << "\n";
    }
    return out.str();
}

}  // namespace kura
