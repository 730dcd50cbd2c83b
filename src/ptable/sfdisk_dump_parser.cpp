// Reads `<disk>-pt.sf`, the `sfdisk -d` dumps Clonezilla saves (also the pre-2.26 ones of
// old Clonezilla images: no "label:" line, "Id=" fields, empty slots as size 0). The file
// comes from an image, so every field is checked before it becomes a PartitionTable.
#include "ptable/clonezilla_table_files.h"

#include "core/error.h"
#include "core/strict_number.h"
#include "ptable/on_disk.h"
#include "ptable/table_validation.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

namespace kura {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string upper(std::string s) {
    for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    std::size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return {};
    std::size_t b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

// Messages start "line N:"; whoever read the file puts its path in front.
[[noreturn]] void bad_line(int line_no, const std::string& line, const std::string& why) {
    std::string shown = line.size() > 120 ? line.substr(0, 120) + "..." : line;
    throw Error(ExitCode::image_corrupt, "line " + std::to_string(line_no) + ": " + why + " (\"" + shown + "\")");
}

// Undoes sfdisk_quote (\xNN) and a backslash before any other character.
std::string unquote(const std::string& v, int line_no, const std::string& line) {
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') return v;
    std::string out;
    for (std::size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] != '\\') {
            out += v[i];
            continue;
        }
        if (i + 1 < v.size() - 1 && v[i + 1] == 'x') {
            if (i + 3 >= v.size() - 1 || !std::isxdigit(static_cast<unsigned char>(v[i + 2])) ||
                !std::isxdigit(static_cast<unsigned char>(v[i + 3])))
                bad_line(line_no, line, "a broken \\x escape in a quoted value");
            out += char(std::stoi(v.substr(i + 2, 2), nullptr, 16));
            i += 3;
        } else if (i + 1 < v.size() - 1) {
            out += v[++i];
        }
    }
    return out;
}

std::uint64_t number(const std::string& v, int line_no, const std::string& line, const std::string& what) {
    auto n = parse_decimal_u64(v);
    if (!n) bad_line(line_no, line, "field " + what + " \"" + v + "\" is not a number from 0 to 2^64-1");
    return *n;
}

// Splits "a=1, b="x, y", bootable" at commas outside quotes.
std::vector<std::string> fields(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\' && quoted && i + 1 < s.size()) {
            cur += c;
            cur += s[++i];
            continue;
        }
        if (c == '"') quoted = !quoted;
        if (c == ',' && !quoted) {
            out.push_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!trim(cur).empty()) out.push_back(trim(cur));
    return out;
}

// The partition number at the end of a device name: /dev/sda5 -> 5, /dev/nvme0n1p2 -> 2;
// 0 when there is none or it is out of the kernel's range.
int trailing_number(const std::string& dev) {
    std::size_t i = dev.size();
    while (i > 0 && std::isdigit(static_cast<unsigned char>(dev[i - 1]))) --i;
    auto n = parse_decimal_u64(std::string_view(dev).substr(i));
    if (!n || *n > static_cast<std::uint64_t>(kMaxPartitionNumber)) return 0;
    return static_cast<int>(*n);
}

// A partition line as read, before the table's label (which may come later) says how
// its type is written.
struct PartitionLine {
    PartitionEntry p;
    int line_no;
    std::string line;
    bool named;  // "/dev/sda1 : ..." rather than an unnamed script line
};

// "label: gpt", "sector-size: 512", ...
void read_header_line(PartitionTable& t, int line_no, const std::string& line, std::size_t colon) {
    const std::string key = lower(trim(line.substr(0, colon)));
    const std::string value = trim(line.substr(colon + 1));
    if (key == "label") {
        if (value == "dos") t.kind = TableKind::mbr;
        else if (value == "gpt") t.kind = TableKind::gpt;
        else bad_line(line_no, line, "label \"" + value + "\" is neither dos nor gpt");
    } else if (key == "label-id") {
        t.label_id = value;
    } else if (key == "unit") {
        if (value != "sectors") bad_line(line_no, line, "only \"unit: sectors\" is understood");
    } else if (key == "first-lba") {
        t.first_lba = number(value, line_no, line, "first-lba");
    } else if (key == "last-lba") {
        t.last_lba = number(value, line_no, line, "last-lba");
    } else if (key == "table-length") {
        std::uint64_t n = number(value, line_no, line, "table-length");
        if (n == 0 || n > kMaxGptEntries)
            bad_line(line_no, line, "field table-length " + value + " is not from 1 to " +
                                        std::to_string(kMaxGptEntries));
        t.gpt_entries = std::uint32_t(n);
    } else if (key == "sector-size") {
        std::uint64_t n = number(value, line_no, line, "sector-size");
        if (n < 512 || n > 65536 || (n & (n - 1)) != 0)
            bad_line(line_no, line, "field sector-size " + value + " is not a power of two from 512 to 65536");
        t.sector_size = std::uint32_t(n);
    }
    // "device:", "grain:" and headers of later sfdisk versions say nothing about the layout.
}

// "/dev/sda1 : start=2048, size=..., type=83, bootable"; `last_number` numbers unnamed lines.
PartitionLine read_partition_line(int line_no, const std::string& line, std::size_t colon, std::size_t eq,
                                  int& last_number) {
    std::string device, rest = line;
    if (colon != std::string::npos && colon < eq) {
        device = trim(line.substr(0, colon));
        rest = line.substr(colon + 1);
    }
    PartitionLine pl{PartitionEntry{}, line_no, line, false};
    PartitionEntry& p = pl.p;
    bool has_start = false, has_size = false, has_type = false;
    for (const std::string& f : fields(rest)) {
        const std::size_t e = f.find('=');
        const std::string key = lower(trim(f.substr(0, e)));
        const std::string value = e == std::string::npos ? std::string() : trim(f.substr(e + 1));
        if (e == std::string::npos) {
            if (key == "bootable" || key == "*") p.bootable = true;
            else bad_line(line_no, line, "unknown field \"" + f + "\"");
        } else if (key == "start") {
            p.start = number(value, line_no, line, "start");
            has_start = true;
        } else if (key == "size") {
            p.size = number(value, line_no, line, "size");
            has_size = true;
        } else if (key == "type" || key == "id") {
            p.type = unquote(value, line_no, line);
            has_type = true;
        } else if (key == "uuid") {
            p.uuid = upper(unquote(value, line_no, line));
        } else if (key == "name") {
            p.name = unquote(value, line_no, line);
        } else if (key == "attrs") {
            p.attrs = unquote(value, line_no, line);
        } else {
            bad_line(line_no, line, "unknown field \"" + key + "\"");
        }
    }
    if (!has_start || !has_size || !has_type) bad_line(line_no, line, "start=, size= and type= are required");
    if (!device.empty()) {
        p.number = trailing_number(device);
        if (p.number <= 0)
            bad_line(line_no, line, "no partition number from 1 to " + std::to_string(kMaxPartitionNumber) +
                                        " at the end of \"" + device + "\"");
        pl.named = true;
    } else {
        if (last_number >= kMaxPartitionNumber) bad_line(line_no, line, "too many partitions");
        p.number = last_number + 1;
    }
    last_number = p.number;
    return pl;
}

// Checks a partition against its table's label and writes its type the way the table
// does; false for an old dump's empty DOS slot, which is dropped.
bool settle_entry(TableKind kind, PartitionLine& pl) {
    PartitionEntry& p = pl.p;
    if (kind == TableKind::mbr) {
        std::string v = lower(p.type);
        if (v.rfind("0x", 0) == 0) v = v.substr(2);
        if (v.empty() || v.size() > 2 || !std::all_of(v.begin(), v.end(), [](char c) { return std::isxdigit(c); }))
            bad_line(pl.line_no, pl.line, "DOS type \"" + p.type + "\" is not a hex byte");
        p.type = ptable::mbr_type_text(std::uint8_t(std::stoul(v, nullptr, 16)));
        // Old dumps list unused slots as "start= 0, size= 0, Id= 0"; the kernel
        // ignores an entry without sectors.
        if (p.size == 0) return false;
        if (!p.uuid.empty() || !p.name.empty() || !p.attrs.empty())
            bad_line(pl.line_no, pl.line, "uuid=, name= and attrs= belong to GPT, not to a DOS table");
        return true;
    }
    std::uint8_t g[16];
    if (!ptable::guid_bytes(p.type, g)) bad_line(pl.line_no, pl.line, "GPT type \"" + p.type + "\" is not a GUID");
    p.type = upper(p.type);
    if (!p.uuid.empty() && !ptable::guid_bytes(p.uuid, g))
        bad_line(pl.line_no, pl.line, "uuid \"" + p.uuid + "\" is not a GUID");
    std::uint64_t bits = 0;
    if (!ptable::gpt_attrs_bits(p.attrs, bits))
        bad_line(pl.line_no, pl.line, "attrs \"" + p.attrs + "\" are not attributes sfdisk writes");
    if (p.bootable) bad_line(pl.line_no, pl.line, "a GPT partition has no bootable flag (use attrs)");
    if (p.size == 0) bad_line(pl.line_no, pl.line, "a GPT partition of size 0");
    return true;
}

// A DOS script without device names is numbered the way sfdisk numbers it: primaries
// 1, 2, ... and the partitions inside the extended one 5, 6, ...
void number_like_sfdisk(PartitionTable& t) {
    const PartitionEntry* ext = nullptr;
    int next_primary = 1, next_logical = 5;
    for (PartitionEntry& p : t.partitions) {
        const bool logical = ext && p.start > ext->start && p.end() <= ext->end();
        p.number = logical ? next_logical++ : next_primary++;
        if (p.is_extended() && !ext) ext = &p;
    }
}

// The disk identifier as the table writes it: "0x1234abcd" for DOS, an upper-case GUID
// for GPT; empty stays empty (the writer lets libfdisk make one up).
void settle_label_id(PartitionTable& t) {
    if (t.label_id.empty()) return;
    if (t.kind == TableKind::mbr) {
        std::string id = lower(t.label_id);
        if (id.rfind("0x", 0) == 0) id = id.substr(2);
        if (id.empty() || id.size() > 8 || !std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(c); }))
            throw Error(ExitCode::image_corrupt, "sfdisk dump: label-id \"" + t.label_id + "\" is not a DOS disk id");
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%08lx", std::stoul(id, nullptr, 16));
        t.label_id = buf;
        return;
    }
    std::uint8_t g[16];
    if (!ptable::guid_bytes(t.label_id, g))
        throw Error(ExitCode::image_corrupt, "sfdisk dump: label-id \"" + t.label_id + "\" is not a GUID");
    t.label_id = upper(t.label_id);
}

}  // namespace

PartitionTable parse_sfdisk_dump(const std::string& text) {
    PartitionTable t;
    t.kind = TableKind::mbr;  // dumps from before util-linux 2.26 have no "label:" line and are DOS
    std::istringstream in(text);
    std::string raw;
    int line_no = 0, last_number = 0;
    std::vector<PartitionLine> lines;
    while (std::getline(in, raw)) {
        ++line_no;
        const std::string line = trim(raw);
        if (line.empty() || line[0] == '#') continue;
        const std::size_t eq = line.find('=');
        const std::size_t colon = line.find(':');
        if (eq != std::string::npos) {
            lines.push_back(read_partition_line(line_no, line, colon, eq, last_number));
        } else if (colon != std::string::npos) {
            read_header_line(t, line_no, line, colon);
        } else {
            bad_line(line_no, line, "neither a header nor a partition");
        }
    }
    for (auto& pl : lines)
        if (settle_entry(t.kind, pl)) t.partitions.push_back(pl.p);
    const bool unnamed = std::none_of(lines.begin(), lines.end(), [](const PartitionLine& x) { return x.named; });
    if (t.kind == TableKind::mbr && unnamed) number_like_sfdisk(t);
    std::sort(t.partitions.begin(), t.partitions.end(),
              [](const PartitionEntry& a, const PartitionEntry& b) { return a.number < b.number; });
    for (std::size_t i = 1; i < t.partitions.size(); ++i)
        if (t.partitions[i].number == t.partitions[i - 1].number)
            throw Error(ExitCode::image_corrupt,
                        "sfdisk dump: partition " + std::to_string(t.partitions[i].number) + " is listed twice");
    settle_label_id(t);
    validate_partition_table(t);
    return t;
}

}  // namespace kura
