// `<disk>-pt.parted` and `-pt.parted.compact`: what GNU parted 3.5 prints for
// `parted -s /dev/<disk> unit s print` and `unit compact print`. ocs-sr reads the disk size
// and the table type from the first; the rest of both is for people, but is kept the same
// as parted's so a person comparing images made by kura and by Clonezilla sees no
// difference. Parted derives its flags from the partition type (and GPT attribute bits);
// the tables below are what parted 3.5 shows for each, checked against parted itself.
#include "ptable/clonezilla_table_files.h"

#include "core/error.h"
#include "core/strict_number.h"
#include "ptable/on_disk.h"

#include <cfloat>
#include <cinttypes>
#include <cstdio>
#include <sstream>

namespace kura {
namespace {

// Parted's flags in the order parted lists them (its flag enumeration).
enum Flag {
    f_boot, f_root, f_swap, f_hidden, f_raid, f_lvm, f_lba, f_hp_service, f_palo, f_prep, f_msftres, f_bios_grub,
    f_atvrecv, f_diag, f_legacy_boot, f_msftdata, f_irst, f_esp, f_chromeos_kernel, f_bls_boot, f_linux_home,
    flag_count
};
constexpr const char* flag_names[flag_count] = {
    "boot", "root", "swap", "hidden", "raid", "lvm", "lba", "hp-service", "palo", "prep", "msftres", "bios_grub",
    "atvrecv", "diag", "legacy_boot", "msftdata", "irst", "esp", "chromeos_kernel", "bls_boot", "linux-home"};

void dos_type_flags(const std::string& type, bool* f) {
    unsigned t = unsigned(std::stoul(type, nullptr, 16));
    switch (t) {
        case 0x0c: case 0x0e: case 0x0f: f[f_lba] = true; break;
        case 0x1c: case 0x1e: f[f_hidden] = f[f_lba] = true; break;
        case 0x11: case 0x14: case 0x16: case 0x17: case 0x1b: f[f_hidden] = true; break;
        case 0x12: case 0xde: f[f_diag] = true; break;
        case 0x27: f[f_msftres] = true; break;
        case 0x41: f[f_prep] = true; break;
        case 0x82: f[f_swap] = true; break;
        case 0x84: f[f_irst] = true; break;
        case 0x8e: case 0xfe: f[f_lvm] = true; break;
        case 0xea: f[f_bls_boot] = true; break;
        case 0xef: f[f_esp] = true; break;
        case 0xf0: f[f_palo] = true; break;
        case 0xfd: f[f_raid] = true; break;
        default: break;
    }
}

void gpt_type_flags(const std::string& type, bool* f) {
    struct Map {
        const char* guid;
        Flag flag;
    };
    static const Map map[] = {
        {"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", f_esp},  // and boot, below
        {"21686148-6449-6E6F-744E-656564454649", f_bios_grub},
        {"E3C9E316-0B5C-4DB8-817D-F92DF00215AE", f_msftres},
        {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", f_msftdata},
        {"A19D880F-05FC-4D3B-A006-743F0F84911E", f_raid},
        {"E6D6D379-F507-44C2-A23C-238F2A3DF928", f_lvm},
        {"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", f_swap},
        {"E2A1E728-32E3-11D6-A682-7B03A0000000", f_hp_service},
        {"9E1A2D38-C612-4316-AA26-8B49521E5A8B", f_prep},
        {"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", f_diag},
        {"5265636F-7665-11AA-AA11-00306543ECAC", f_atvrecv},
        {"D3BFE2DE-3DAF-11DF-BA40-E3A556D89593", f_irst},
        {"FE3A2A5D-4F32-41A7-B725-ACCC3285A309", f_chromeos_kernel},
        {"BC13C2FF-59E6-4262-A352-B275FD6F7172", f_bls_boot},
        {"933AC7E1-2EB4-4F13-B844-0E14E2AEF915", f_linux_home},
    };
    for (const auto& m : map)
        if (type == m.guid) {
            f[m.flag] = true;
            if (m.flag == f_esp) f[f_boot] = true;
        }
}

std::string flags_text(const PartitionTable& t, const PartitionEntry& p) {
    bool f[flag_count] = {};
    if (t.kind == TableKind::mbr) {
        dos_type_flags(p.type, f);
        if (p.bootable) f[f_boot] = true;
    } else if (t.kind == TableKind::gpt) {
        gpt_type_flags(p.type, f);
        std::uint64_t bits = 0;
        ptable::gpt_attrs_bits(p.attrs, bits);
        if (bits & 1) f[f_hidden] = true;  // parted 3.5 shows RequiredPartition as "hidden"
        if (bits & 4) f[f_legacy_boot] = true;
    }
    std::string out;
    for (int i = 0; i < flag_count; ++i)
        if (f[i]) out += (out.empty() ? "" : ", ") + std::string(flag_names[i]);
    return out;
}

// Display width of a UTF-8 string: one column per code point (names are short and, in the
// C locale Clonezilla runs parted in, anything wider is rare).
std::size_t width(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

// Parted's table layout: every column as wide as its widest cell, two spaces between
// columns, trailing blanks dropped.
std::string render(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> w;
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (w.size() <= i) w.push_back(0);
            w[i] = std::max(w[i], width(r[i]));
        }
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(w[i] - width(r[i]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

// Parted's "compact" unit: the largest SI unit that leaves at least 10 of it, and three
// significant digits (at least). A factor of 1+epsilon breaks printf's ties to even the
// way parted does, so 100.5 prints as 101.
std::string compact(std::uint64_t bytes) {
    const char* unit = "B";
    double div = 1;
    if (bytes >= 10ull * 1000000000000ull) unit = "TB", div = 1e12;
    else if (bytes >= 10ull * 1000000000ull) unit = "GB", div = 1e9;
    else if (bytes >= 10ull * 1000000ull) unit = "MB", div = 1e6;
    else if (bytes >= 10ull * 1000ull) unit = "kB", div = 1e3;
    double d = double(bytes) / div * (1.0 + DBL_EPSILON);
    double w = d + (d < 10.0 ? 0.005 : d < 100.0 ? 0.05 : 0.5);
    int precision = w < 10.0 ? 2 : w < 100.0 ? 1 : 0;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f%s", precision, d, unit);
    return buf;
}

std::string sectors(std::uint64_t n) { return std::to_string(n) + "s"; }

std::string print_text(const PartitionTable& t, const std::string& disk_name, const std::string& model,
                       std::uint32_t physical_sector, const std::map<int, std::string>& fs, bool compact_units) {
    const std::uint64_t ss = t.sector_size;
    auto at = [&](std::uint64_t sector) { return compact_units ? compact(sector * ss) : sectors(sector); };
    auto end_at = [&](const PartitionEntry& p) {
        return compact_units ? compact(p.end() * ss - 1) : sectors(p.end() - 1);
    };
    auto size_of = [&](std::uint64_t n) { return compact_units ? compact(n * ss) : sectors(n); };
    auto fs_of = [&](int number) {
        auto it = fs.find(number);
        return it == fs.end() ? std::string() : it->second;
    };

    std::ostringstream out;
    out << "Model: " << model << "\n";
    out << "Disk /dev/" << disk_name << ": " << size_of(t.disk_sectors) << "\n";
    out << "Sector size (logical/physical): " << t.sector_size << "B/" << physical_sector << "B\n";
    std::vector<std::vector<std::string>> rows;
    if (t.kind == TableKind::none) {
        const std::string whole = fs_of(1);
        if (whole.empty()) {  // parted knows neither a table nor a filesystem
            out << "Partition Table: unknown\nDisk Flags: \n";
            return out.str();
        }
        out << "Partition Table: loop\nDisk Flags: \n\n";
        PartitionEntry p;
        p.number = 1;
        p.size = t.disk_sectors;
        rows.push_back({"Number", "Start", "End", "Size", "File system", "Flags"});
        rows.push_back({" 1", at(0), end_at(p), size_of(p.size), whole, ""});
        return out.str() + render(rows) + "\n";
    }
    out << "Partition Table: " << (t.kind == TableKind::mbr ? "msdos" : "gpt") << "\n";
    out << "Disk Flags: " << (t.kind == TableKind::gpt && t.pmbr_boot ? "pmbr_boot" : "") << "\n\n";
    if (t.kind == TableKind::mbr)
        rows.push_back({"Number", "Start", "End", "Size", "Type", "File system", "Flags"});
    else
        rows.push_back({"Number", "Start", "End", "Size", "File system", "Name", "Flags"});
    for (const auto& p : t.partitions) {
        std::vector<std::string> r = {" " + std::to_string(p.number), at(p.start), end_at(p), size_of(p.size)};
        if (t.kind == TableKind::mbr) {
            r.push_back(p.is_extended() ? "extended" : p.number >= 5 ? "logical" : "primary");
            r.push_back(p.is_extended() ? "" : fs_of(p.number));
        } else {
            r.push_back(fs_of(p.number));
            r.push_back(p.name);
        }
        r.push_back(flags_text(t, p));
        rows.push_back(r);
    }
    return out.str() + render(rows) + "\n";
}

}  // namespace

std::string parted_print_text(const PartitionTable& table, const std::string& disk_name, const std::string& model,
                              std::uint32_t physical_sector, const std::map<int, std::string>& file_systems) {
    return print_text(table, disk_name, model, physical_sector, file_systems, false);
}

std::string parted_compact_text(const PartitionTable& table, const std::string& disk_name, const std::string& model,
                                std::uint32_t physical_sector, const std::map<int, std::string>& file_systems) {
    return print_text(table, disk_name, model, physical_sector, file_systems, true);
}

std::uint64_t parted_disk_sectors(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.rfind("Disk /dev/", 0) != 0) continue;
        // Messages start "line N:"; whoever read the file puts its path in front.
        auto refuse = [&](const std::string& value) {
            std::string shown = value.size() > 40 ? value.substr(0, 40) + "..." : value;
            throw Error(ExitCode::image_corrupt, "line " + std::to_string(line_no) + ": field disk size \"" + shown +
                                                     "\" is not a number of sectors from 1 to 2^64-1 followed by "
                                                     "\"s\"");
        };
        std::size_t colon = line.rfind(':');
        if (colon == std::string::npos) refuse(line);
        std::string v = line.substr(colon + 1);
        std::size_t a = v.find_first_not_of(' ');
        if (a == std::string::npos) refuse("");
        v = v.substr(a);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
        if (v.size() < 2 || v.back() != 's') refuse(v);
        auto n = parse_decimal_u64(std::string_view(v).substr(0, v.size() - 1));
        if (!n || *n == 0) refuse(v);
        return *n;
    }
    throw Error(ExitCode::image_corrupt, "no \"Disk /dev/<disk>: <N>s\" line (Clonezilla needs it to know the "
                                         "source disk's size)");
}

std::string parted_fs_name(const std::string& type, const std::string& version) {
    if (type == "ext2" || type == "ext3" || type == "ext4" || type == "ntfs" || type == "xfs" || type == "btrfs" ||
        type == "jfs" || type == "reiserfs" || type == "udf" || type == "nilfs2" || type == "hfs")
        return type;
    if (type == "hfsplus") return "hfs+";
    if (type == "vfat") {
        if (version == "FAT32") return "fat32";
        if (version == "FAT16") return "fat16";
        return {};  // parted 3.5 does not recognise FAT12
    }
    if (type == "swap") return version == "0" ? "linux-swap(v0)" : "linux-swap(v1)";
    return {};
}

}  // namespace kura
