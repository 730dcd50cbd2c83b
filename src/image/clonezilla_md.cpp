#include "image/clonezilla_md.h"

#include "core/error.h"
#include "core/strict_number.h"
#include "storage/repository.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

namespace kura {
namespace {

constexpr std::size_t max_config_bytes = 64 * 1024;

const std::vector<std::string> config_keys = {"MD_UUID",          "MD_NAME",   "MD_META",
                                              "MD_LEVEL",         "MD_DEVICES_COUNT", "MD_CHUNK",
                                              "MD_LAYOUT",        "MD_DATA_OFFSET",   "MD_MEMBERS_ORDERED"};

[[noreturn]] void corrupt(const std::string& file, std::size_t line, const std::string& what) {
    throw Error(ExitCode::image_corrupt, file + " line " + std::to_string(line) + ": " + what);
}

bool is_uuid(const std::string& s) {
    if (s.size() != 35) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i % 9 == 8) {
            if (s[i] != ':') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

// A member or device name: what follows /dev/ (sda1, nvme0n1p2, mapper-less names only).
bool is_device_name(const std::string& s) {
    if (s.empty() || s.size() > 64 || s == "." || s == "..") return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '.'; });
}

// The characters a value may hold: no shell expansion, quoting or command syntax, since
// Clonezilla's restore sources the file (kura never does, but an image kura writes must not
// be a script either).
bool is_plain_value(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '\\' && c != '$' && c != '`' && c != ';' &&
               c != '&' && c != '|' && c != '<' && c != '>' && c != '(' && c != ')';
    });
}

struct LayoutName {
    int level;
    std::uint32_t number;
    const char* name;
};
// mdadm's names (maps.c r5layout / r6layout) for the layouts its --create writes.
const LayoutName layout_names[] = {
    {5, 0, "left-asymmetric"}, {5, 1, "right-asymmetric"}, {5, 2, "left-symmetric"}, {5, 3, "right-symmetric"},
    {5, 4, "parity-first"},    {5, 5, "parity-last"},      {6, 0, "left-asymmetric"}, {6, 1, "right-asymmetric"},
    {6, 2, "left-symmetric"},  {6, 3, "right-symmetric"},  {6, 4, "parity-first"},    {6, 5, "parity-last"},
    {4, 5, "parity-last"},     {4, 4, "parity-first"},
};

}  // namespace

int ClonezillaMdConfig::level_number() const {
    if (level == "linear") return -1;
    return std::stoi(level.substr(4));  // parse_md_config admits only raidN names
}

std::string md_config_file_name(const std::string& device) { return device + "-config.env"; }
std::string md_detail_file_name(const std::string& device) { return device + "-detail.info"; }
std::string md_examine_file_name(const std::string& member) { return member + "-examine.info"; }

std::string md_layout_name(int level, std::uint32_t layout) {
    if (level == 10) {
        // near copies in bits 0-7, far copies in 8-15, bit 16 "offset" (md's raid10 layout).
        const std::uint32_t near = layout & 0xff, far = (layout >> 8) & 0xff;
        const bool offset = (layout >> 16) & 1;
        if (layout >> 17) throw Error(ExitCode::source_unsupported, "raid10 layout " + std::to_string(layout) + " is not one mdadm names");
        if (far == 1) return "n" + std::to_string(near);
        if (near == 1) return (offset ? "o" : "f") + std::to_string(far);
        throw Error(ExitCode::source_unsupported, "raid10 layout " + std::to_string(layout) + " mixes near and far copies");
    }
    if (level != 4 && level != 5 && level != 6) return "";
    for (const auto& l : layout_names)
        if (l.level == level && l.number == layout) return l.name;
    throw Error(ExitCode::source_unsupported,
                md_level_name(level) + " layout " + std::to_string(layout) + " is not one kura can recreate");
}

ClonezillaMdConfig md_config_for(const MdArray& array) {
    ClonezillaMdConfig c;
    c.device = array.device;
    c.uuid = array.uuid;
    c.name = array.name;
    c.metadata = md_metadata_name(array.metadata);
    c.level = md_level_name(array.level);
    c.devices = array.raid_disks;
    if (array.chunk_bytes) c.chunk_kib = array.chunk_bytes / 1024;
    c.layout = md_layout_name(array.level, array.layout);
    // Every member of a 1.x array may have its own data offset; mdadm --create takes one,
    // and kura recreates members as the first in-sync member has it.
    if (!array.active.empty()) c.data_offset_sectors = array.active.front().superblock.data_offset / 512;
    c.members = array.members_ordered();
    return c;
}

std::string md_config_text(const ClonezillaMdConfig& c) {
    std::ostringstream out;
    out << "MD_UUID=" << c.uuid << "\n";
    out << "MD_NAME=" << c.name << "\n";
    out << "MD_META=" << c.metadata << "\n";
    out << "MD_LEVEL=" << c.level << "\n";
    out << "MD_DEVICES_COUNT=" << c.devices << "\n";
    out << "MD_CHUNK=" << (c.chunk_kib ? std::to_string(*c.chunk_kib) : "") << "\n";
    out << "MD_LAYOUT=" << c.layout << "\n";
    out << "MD_DATA_OFFSET=" << (c.data_offset_sectors ? std::to_string(*c.data_offset_sectors) : "") << "\n";
    out << "MD_MEMBERS_ORDERED=\"";
    for (std::size_t i = 0; i < c.members.size(); ++i)
        out << (i ? " " : "") << (c.members[i] == "missing" ? "missing" : "/dev/" + c.members[i]);
    out << "\"\n";
    return out.str();
}

std::string md_detail_text(const MdArray& array) {
    std::ostringstream out;
    out << "# kura: /dev/" << array.device << " was not assembled (reading a source must not change it);\n"
        << "# these are the facts mdadm --detail shows, read from the members' superblocks.\n";
    out << "/dev/" << array.device << ":\n";
    out << "           Version : " << md_metadata_name(array.metadata) << "\n";
    out << "        Raid Level : " << md_level_name(array.level) << "\n";
    if (array.array_size) out << "        Array Size : " << array.array_size / 1024 << " KiB\n";
    out << "      Raid Devices : " << array.raid_disks << "\n";
    out << "     Total Devices : " << array.active.size() + array.spares.size() + array.not_read.size() << "\n";
    out << "    Active Devices : " << array.active.size() << "\n";
    out << "     Spare Devices : " << array.spares.size() << "\n";
    const std::string layout = md_layout_name(array.level, array.layout);
    if (!layout.empty()) out << "            Layout : " << layout << "\n";
    if (array.chunk_bytes) out << "        Chunk Size : " << array.chunk_bytes / 1024 << "K\n";
    if (!array.name.empty()) out << "              Name : " << array.name << "\n";
    out << "              UUID : " << array.uuid << "\n";
    out << "            Events : " << array.events << "\n\n";
    out << "    RaidDevice  Member\n";
    for (const auto& m : array.active) out << "    " << *m.superblock.role << "  " << m.name << "  active sync\n";
    for (auto slot : array.missing_slots) out << "    " << slot << "  -  missing\n";
    for (const auto& m : array.spares) out << "    -  " << m.name << "  spare\n";
    for (std::size_t i = 0; i < array.not_read.size(); ++i)
        out << "    -  " << array.not_read[i].name << "  not read: " << array.not_read_reasons[i] << "\n";
    return out.str();
}

ClonezillaMdConfig parse_md_config(const std::string& text, const std::string& file_name) {
    const std::string suffix = "-config.env";
    ClonezillaMdConfig c;
    if (file_name.size() <= suffix.size() || file_name.compare(file_name.size() - suffix.size(), suffix.size(), suffix) != 0)
        throw Error(ExitCode::image_corrupt, file_name + ": not an mdN-config.env name");
    c.device = file_name.substr(0, file_name.size() - suffix.size());
    if (c.device.rfind("md", 0) != 0 || !is_device_name(c.device))
        throw Error(ExitCode::image_corrupt, file_name + ": the array's name is not mdN");
    if (text.size() > max_config_bytes) throw Error(ExitCode::image_corrupt, file_name + ": larger than 64 KiB");
    std::map<std::string, std::string> values;
    std::istringstream in(text);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos) corrupt(file_name, number, "not KEY=VALUE");
        const std::string key = line.substr(0, eq);
        std::string value = line.substr(eq + 1);
        if (std::find(config_keys.begin(), config_keys.end(), key) == config_keys.end())
            corrupt(file_name, number, "unknown key '" + key.substr(0, 40) + "'");
        if (values.count(key)) corrupt(file_name, number, key + " given twice");
        const bool quoted = value.size() >= 2 && value.front() == '"' && value.back() == '"';
        if (quoted) value = value.substr(1, value.size() - 2);
        // Only the member list holds spaces, and only inside its quotes.
        std::string check = value;
        if (key == "MD_MEMBERS_ORDERED" && quoted) std::replace(check.begin(), check.end(), ' ', '_');
        if (!is_plain_value(check)) corrupt(file_name, number, key + " holds shell syntax or spaces");
        values[key] = value;
    }
    for (const char* required : {"MD_UUID", "MD_META", "MD_LEVEL", "MD_DEVICES_COUNT", "MD_MEMBERS_ORDERED"})
        if (!values.count(required)) throw Error(ExitCode::image_corrupt, file_name + ": " + required + " is missing");
    auto line_of = [&](const std::string& key) {
        std::istringstream again(text);
        std::size_t n = 0;
        while (std::getline(again, line)) {
            ++n;
            if (line.rfind(key + "=", 0) == 0) return n;
        }
        return n;
    };
    c.uuid = values["MD_UUID"];
    if (!is_uuid(c.uuid)) corrupt(file_name, line_of("MD_UUID"), "MD_UUID is not xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx");
    std::transform(c.uuid.begin(), c.uuid.end(), c.uuid.begin(), ::tolower);
    c.name = values["MD_NAME"];
    if (c.name.size() > 32) corrupt(file_name, line_of("MD_NAME"), "MD_NAME is longer than md's 32 bytes");
    c.metadata = values["MD_META"];
    if (c.metadata != "0.90" && c.metadata != "1.0" && c.metadata != "1.1" && c.metadata != "1.2")
        corrupt(file_name, line_of("MD_META"), "MD_META '" + c.metadata + "' is not 0.90, 1.0, 1.1 or 1.2");
    c.level = values["MD_LEVEL"];
    const std::vector<std::string> levels = {"linear", "raid0", "raid1", "raid4", "raid5", "raid6", "raid10"};
    if (std::find(levels.begin(), levels.end(), c.level) == levels.end())
        corrupt(file_name, line_of("MD_LEVEL"), "MD_LEVEL '" + c.level + "' is not one kura recreates");
    const auto devices = parse_decimal_u64(values["MD_DEVICES_COUNT"]);
    if (!devices || *devices < 1 || *devices > 1920)
        corrupt(file_name, line_of("MD_DEVICES_COUNT"), "MD_DEVICES_COUNT is not a number from 1 to 1920");
    c.devices = static_cast<std::uint32_t>(*devices);
    if (!values["MD_CHUNK"].empty()) {
        auto chunk = parse_decimal_u64(values["MD_CHUNK"]);
        if (!chunk || *chunk < 4 || *chunk > (1u << 20) || (*chunk & (*chunk - 1)))
            corrupt(file_name, line_of("MD_CHUNK"), "MD_CHUNK is not a power of two of KiB from 4 to 1048576");
        c.chunk_kib = chunk;
    }
    c.layout = values["MD_LAYOUT"];
    if (!c.layout.empty() && !std::all_of(c.layout.begin(), c.layout.end(), [](unsigned char ch) { return std::isalnum(ch) || ch == '-'; }))
        corrupt(file_name, line_of("MD_LAYOUT"), "MD_LAYOUT is not a layout name");
    if (!values["MD_DATA_OFFSET"].empty()) {
        auto offset = parse_decimal_u64(values["MD_DATA_OFFSET"]);
        if (!offset || *offset > (1ull << 40)) corrupt(file_name, line_of("MD_DATA_OFFSET"), "MD_DATA_OFFSET is not a number of sectors");
        c.data_offset_sectors = offset;
    }
    std::istringstream members(values["MD_MEMBERS_ORDERED"]);
    for (std::string m; members >> m;) {
        if (m != "missing") {
            if (m.rfind("/dev/", 0) != 0 || !is_device_name(m.substr(5)))
                corrupt(file_name, line_of("MD_MEMBERS_ORDERED"), "member '" + m.substr(0, 40) + "' is not /dev/NAME or missing");
            m = m.substr(5);
        }
        if (m != "missing" && std::count(c.members.begin(), c.members.end(), m))
            corrupt(file_name, line_of("MD_MEMBERS_ORDERED"), "member " + m + " is listed twice");
        c.members.push_back(m);
    }
    if (c.members.size() < c.devices)
        corrupt(file_name, line_of("MD_MEMBERS_ORDERED"),
                std::to_string(c.members.size()) + " members for MD_DEVICES_COUNT " + std::to_string(c.devices));
    if (c.members.size() > 1920) corrupt(file_name, line_of("MD_MEMBERS_ORDERED"), "too many members");
    return c;
}

std::vector<ClonezillaMdConfig> read_image_md_arrays(const Repository& repo, const std::string& image_dir) {
    std::vector<ClonezillaMdConfig> out;
    for (const auto& name : repo.list(image_dir)) {
        if (name.rfind("md", 0) != 0 || name.size() < 11 || name.compare(name.size() - 11, 11, "-config.env") != 0)
            continue;
        const std::string path = image_dir + "/" + name;
        out.push_back(parse_md_config(read_text_file(repo, path, max_config_bytes + 1), name));
    }
    return out;
}

}  // namespace kura
