// GPT: the protective MBR in sector 0, the primary header at LBA 1 with its entry array,
// and the backup header at the disk's last LBA with its own array just before it. Both
// headers carry a CRC-32 of themselves (CRC field zeroed) and of their entry array. The
// table is taken from the primary when it is intact, from the backup otherwise; any
// damage is named in a warning, and a disk where neither copy is intact is refused.
#include "ptable/on_disk.h"

#include "core/error.h"
#include "device/device.h"

#include <cstdio>
#include <optional>

namespace kura::ptable {
namespace {

struct GptCopy {
    GptHeader header;
    std::vector<std::uint8_t> entries;  // entry_count * entry_size bytes
    std::string problem;                // empty when header and entries are intact
    bool header_ok = false;             // the header itself checked out (its entries may not)
    bool ok() const { return problem.empty(); }
};

std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

GptCopy read_copy(const Device& disk, std::uint32_t ss, std::uint64_t lba, std::uint64_t disk_sectors) {
    GptCopy c;
    if (lba >= disk_sectors) {
        c.problem = "LBA " + std::to_string(lba) + " is past the end of the disk (" + std::to_string(disk_sectors) +
                    " sectors): the disk or image was truncated, or the GPT was made for a larger disk";
        return c;
    }
    std::vector<std::uint8_t> s = read_sectors(disk, ss, lba, 1);
    c.problem = parse_gpt_header(s.data(), ss, lba, disk_sectors, c.header);
    if (!c.ok()) return c;
    c.header_ok = true;
    std::uint64_t sectors = (c.header.entries_bytes() + ss - 1) / ss;
    c.entries = read_sectors(disk, ss, c.header.entries_lba, sectors);
    c.entries.resize(c.header.entries_bytes());
    std::uint32_t crc = gpt_crc32(c.entries.data(), c.entries.size());
    if (crc != c.header.entries_crc)
        c.problem = "partition entries CRC mismatch (the header at LBA " + std::to_string(lba) + " says " +
                    hex32(c.header.entries_crc) + ", the " + std::to_string(c.header.entry_count) +
                    " entries at LBA " + std::to_string(c.header.entries_lba) + " compute " + hex32(crc) + ")";
    return c;
}

// The protective MBR: one 0xEE entry from LBA 1 over the disk (or its first 2 TiB).
void check_protective_mbr(PartitionTable& t, const std::vector<std::uint8_t>& s0, const std::string& path,
                          std::vector<std::string>& warnings) {
    int others = 0;
    for (int i = 0; i < 4; ++i) {
        MbrEntry e = mbr_entry(s0.data(), i);
        if (e.type == mbr_type_gpt_protective) {
            if (e.status == 0x80) t.pmbr_boot = true;
            if (e.start != 1)
                warnings.push_back(path + ": the protective MBR's GPT entry starts at sector " +
                                   std::to_string(e.start) + " instead of 1");
        } else if (!e.empty()) {
            ++others;
        }
    }
    if (others)
        warnings.push_back(path + ": hybrid MBR: besides the GPT entry, the protective MBR lists " +
                           std::to_string(others) +
                           " partition(s); kura restores a plain protective MBR, as sfdisk does");
}

// The intact copy the table is read from - the primary when it is, else the backup -
// with every disagreement between the two named in a warning. Throws when neither is.
GptCopy choose_copy(const Device& disk, std::uint32_t ss, std::uint64_t disk_sectors,
                    std::vector<std::string>& warnings) {
    const std::string& path = disk.path();
    const std::uint64_t last = disk_sectors - 1;
    GptCopy primary = read_copy(disk, ss, 1, disk_sectors);
    // The backup is where the primary says; if the primary is unusable, where it belongs.
    std::uint64_t backup_lba = primary.header_ok && primary.header.alternate_lba > 1 ? primary.header.alternate_lba : last;
    GptCopy backup = read_copy(disk, ss, backup_lba, disk_sectors);
    if (!backup.ok() && backup_lba != last) {
        GptCopy at_end = read_copy(disk, ss, last, disk_sectors);
        if (at_end.ok()) backup = at_end, backup_lba = last;
    }
    if (primary.ok()) {
        if (!backup.ok()) {
            warnings.push_back(path + ": the backup GPT header at LBA " + std::to_string(backup_lba) +
                               " is damaged: " + backup.problem + "; the primary GPT is intact and is used");
            return primary;
        }
        const GptHeader &a = primary.header, &b = backup.header;
        if (a.disk_guid != b.disk_guid || a.first_usable != b.first_usable || a.last_usable != b.last_usable ||
            a.entry_count != b.entry_count || a.entries_crc != b.entries_crc)
            warnings.push_back(path + ": the primary and backup GPT disagree (disk GUID, usable range or "
                               "entries); the primary is used");
        if (backup_lba != last)
            warnings.push_back(path + ": the backup GPT header is at LBA " + std::to_string(backup_lba) +
                               ", not at the disk's last LBA " + std::to_string(last) +
                               " (the disk was enlarged after partitioning)");
        if (b.alternate_lba != 1)
            warnings.push_back(path + ": the backup GPT header points to a primary at LBA " +
                               std::to_string(b.alternate_lba) + " instead of 1");
        return primary;
    }
    if (backup.ok()) {
        warnings.push_back(path + ": the primary GPT header at LBA 1 is damaged: " + primary.problem +
                           "; the table is read from the backup GPT at LBA " + std::to_string(backup_lba));
        return backup;
    }
    std::string hint;
    // A disk image of a 4Kn disk read as 512-byte sectors has its header at 4096.
    if (ss == 512 && disk.size() >= 8192) {
        std::vector<std::uint8_t> s8 = read_sectors(disk, ss, 8, 1);
        if (std::string(s8.begin(), s8.begin() + 8) == "EFI PART")
            hint = " (there is a GPT header at byte 4096: the disk uses 4096-byte sectors)";
    }
    throw Error(ExitCode::source_unsupported,
                path + ": GPT: no intact copy of the table: primary header at LBA 1: " + primary.problem +
                    "; backup header at LBA " + std::to_string(backup_lba) + ": " + backup.problem + hint);
}

std::string hex64(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
    return b;
}

// Entry `i` of the chosen copy; nullopt for an unused slot.
std::optional<PartitionEntry> read_entry(const GptCopy& copy, std::uint32_t i, const PartitionTable& t,
                                         const std::string& path, std::vector<std::string>& warnings) {
    const GptHeader& h = copy.header;
    const std::uint8_t* e = copy.entries.data() + std::size_t(i) * h.entry_size;
    if (guid_is_zero(e)) return std::nullopt;
    PartitionEntry p;
    p.number = int(i + 1);
    p.type = guid_text(e);
    p.uuid = guid_text(e + 16);
    std::uint64_t first = le64(e + 32), last_lba = le64(e + 40);
    std::uint64_t bits = le64(e + 48);
    p.name = utf16le_name(e + 56, 36);
    p.attrs = gpt_attrs_text(bits);
    const std::string what = "GPT partition " + std::to_string(p.number);
    if (last_lba < first)
        throw Error(ExitCode::source_unsupported, path + ": " + what + " ends (LBA " + std::to_string(last_lba) +
                                                      ") before it starts (LBA " + std::to_string(first) + ")");
    p.start = first;
    p.size = last_lba - first + 1;
    if (p.end() > t.disk_sectors)
        throw Error(ExitCode::source_unsupported,
                    path + ": " + what + " (sectors " + std::to_string(first) + "-" + std::to_string(last_lba) +
                        ") extends past the end of the disk (" + std::to_string(t.disk_sectors) + " sectors)");
    if (first < h.first_usable || last_lba > h.last_usable)
        warnings.push_back(path + ": " + what + " (sectors " + std::to_string(first) + "-" +
                           std::to_string(last_lba) + ") lies outside the usable range " +
                           std::to_string(h.first_usable) + "-" + std::to_string(h.last_usable));
    if (bits & 0x0000FFFFFFFFFFF8ull)
        warnings.push_back(path + ": " + what + " has reserved attribute bits set (0x" + hex64(bits) +
                           "); sfdisk's dump and the restored table keep only bits 0-2 and 48-63");
    return p;
}

void warn_overlaps(const PartitionTable& t, const std::string& path, std::vector<std::string>& warnings) {
    for (std::size_t a = 0; a < t.partitions.size(); ++a)
        for (std::size_t b = a + 1; b < t.partitions.size(); ++b) {
            const auto& x = t.partitions[a];
            const auto& y = t.partitions[b];
            if (x.start < y.end() && y.start < x.end())
                warnings.push_back(path + ": GPT partitions " + std::to_string(x.number) + " and " +
                                   std::to_string(y.number) + " overlap");
        }
}

}  // namespace

PartitionTable read_gpt(const Device& disk, std::uint32_t ss, const std::vector<std::uint8_t>& s0,
                        std::vector<std::string>& warnings) {
    const std::string& path = disk.path();
    PartitionTable t;
    t.kind = TableKind::gpt;
    t.sector_size = ss;
    t.disk_sectors = disk.size() / ss;
    if (t.disk_sectors < 3)
        throw Error(ExitCode::source_unsupported, path + ": GPT: the disk is too small to hold a GPT");
    check_protective_mbr(t, s0, path, warnings);
    const GptCopy used = choose_copy(disk, ss, t.disk_sectors, warnings);
    const GptHeader& h = used.header;
    t.label_id = h.disk_guid;
    t.first_lba = h.first_usable;
    t.last_lba = h.last_usable;
    t.gpt_entries = h.entry_count;
    if (h.last_usable >= t.disk_sectors)
        warnings.push_back(path + ": the GPT's last usable LBA " + std::to_string(h.last_usable) +
                           " is past the end of the disk (" + std::to_string(t.disk_sectors) + " sectors)");
    for (std::uint32_t i = 0; i < h.entry_count; ++i)
        if (auto p = read_entry(used, i, t, path, warnings)) t.partitions.push_back(*p);
    warn_overlaps(t, path, warnings);
    return t;
}

}  // namespace kura::ptable
