#include "ops/md_listing.h"

#include "core/error.h"
#include "core/json.h"
#include "core/units.h"
#include "device/device.h"
#include "device/probe.h"
#include "fs/filesystem.h"
#include "ops/disk_table_notes.h"
#include "ops/md_data_window.h"

#include <map>
#include <utility>

namespace kura {
namespace {

constexpr const char* member_type = "linux_raid_member";

// Where a member's bytes are, for its data window.
struct MemberPlace {
    std::string disk_path;
    std::uint64_t start = 0;
    std::string path;
};

MdMemberState not_read_state(const MdSuperblock& sb) {
    if (sb.faulty) return MdMemberState::faulty;
    if (sb.recovery_offset) return MdMemberState::rebuilding;
    return MdMemberState::stale;
}

// The RAID1 array's filesystem, read through one in-sync member's data window.
void probe_raid1(ListedMdArray& listed, const std::map<std::string, MemberPlace>& places) {
    // A save refuses such an array (md_sources.h), so the listing says what it would need.
    if (!listed.array.missing_slots.empty()) {
        std::string slots;
        for (auto s : listed.array.missing_slots) slots += (slots.empty() ? "" : " ") + std::to_string(s);
        listed.note = "slot " + slots + " missing: a save needs the disks of all its members";
        return;
    }
    try {
        const MdDataWindow window = raid1_data_window(listed.array);
        const MemberPlace& place = places.at(window.member->name);
        const auto loop = open_md_data_window(place.disk_path, place.start, place.path, window);
        listed.fs_type = probe_filesystem(loop->path()).type;
        if (const FilesystemReader* reader = filesystem_reader_for(listed.fs_type)) {
            const UsedBlockMap map = reader->read_used_blocks(loop->path(), FsReadOptions{});
            listed.used_bytes = map.used.count() * map.block_size;
            listed.used_known = true;
        }
    } catch (const Error& e) {
        listed.note = e.what();
    }
}

std::string member_list(const ListedMdArray& a) {
    std::string out;
    for (const auto& m : a.members) {
        out += (out.empty() ? "" : " ") + m.name;
        if (m.state != MdMemberState::in_sync) out += " " + md_member_state_name(m.state);
    }
    return out;
}

}  // namespace

std::string md_member_state_name(MdMemberState state) {
    switch (state) {
    case MdMemberState::in_sync: return "in sync";
    case MdMemberState::spare: return "spare";
    case MdMemberState::stale: return "stale";
    case MdMemberState::faulty: return "faulty";
    case MdMemberState::rebuilding: return "rebuilding";
    }
    return "?";
}

std::vector<ListedMdArray> list_md_arrays(const std::vector<DiskInfo>& disks) {
    std::vector<MdMember> members;
    std::map<std::string, MemberPlace> places;
    const auto consider = [&](const std::string& name, const std::string& path, const std::string& disk_path,
                              std::uint64_t start) {
        if (path.empty()) return;
        // libblkid said so, but the superblock is what kura reads a member by: a device
        // without one is no member here (a save copies it whole and says why).
        // Named as the save names it in messages (sda2), not by its path.
        Device device = Device::open(path, Access::read_only, Role::source);
        auto sb = read_md_superblock(device, 0, device.size(), name);
        if (!sb) return;
        members.push_back({name, path, *sb});
        places[name] = {disk_path, start, path};
    };
    for (const auto& d : disks) {
        if (d.partitions.empty() && d.fs_type == member_type) consider(d.name, d.path, d.path, 0);
        for (const auto& p : d.partitions)
            if (p.fs_type == member_type) consider(p.name, p.path, d.path, p.start_bytes);
    }
    std::vector<ListedMdArray> result;
    if (members.empty()) return result;
    std::vector<MdArray> arrays = describe_md_arrays(members);
    name_md_arrays(arrays);
    for (auto& array : arrays) {
        ListedMdArray listed;
        listed.array = std::move(array);
        const MdArray& a = listed.array;
        for (const auto& m : a.active) listed.members.push_back({m.name, MdMemberState::in_sync, m.superblock.role});
        for (const auto& m : a.spares) listed.members.push_back({m.name, MdMemberState::spare, std::nullopt});
        for (const auto& m : a.not_read)
            listed.members.push_back({m.name, not_read_state(m.superblock), m.superblock.role});
        for (const auto& m : members)
            for (const auto& l : listed.members)
                if (listed.first_member.empty() && l.name == m.name) listed.first_member = m.name;
        if (a.level == 1) probe_raid1(listed, places);
        else listed.copied_whole = true;
        result.push_back(std::move(listed));
    }
    return result;
}

std::string md_array_line(const ListedMdArray& l) {
    const MdArray& a = l.array;
    std::string line = a.device + "  " + md_level_name(a.level) + " " + md_metadata_name(a.metadata) + "  ";
    if (l.copied_whole) {
        line += "members copied whole";
    } else {
        if (!l.fs_type.empty()) line += l.fs_type + "  ";
        if (l.used_known) line += format_bytes(l.used_bytes) + " used of ";
        line += format_bytes(a.array_size);
    }
    line += "  (members " + member_list(l) + ")";
    if (!l.note.empty()) line += "  (" + l.note + ")";
    return line;
}

std::string with_md_arrays(const std::string& table, const std::vector<ListedMdArray>& arrays) {
    std::map<std::string, std::string> under;
    for (const auto& a : arrays) under[a.first_member] += "    " + md_array_line(a) + "\n";
    return with_lines_under_rows(table, std::move(under));
}

std::string md_arrays_json(const std::vector<ListedMdArray>& arrays) {
    std::string out = "[";
    for (std::size_t i = 0; i < arrays.size(); ++i) {
        const ListedMdArray& l = arrays[i];
        const MdArray& a = l.array;
        out += std::string(i ? "," : "") + "{\"device\":" + json_string(a.device) + ",\"uuid\":" + json_string(a.uuid) +
               ",\"name\":" + json_string(a.name) + ",\"level\":" + json_string(md_level_name(a.level)) +
               ",\"metadata\":" + json_string(md_metadata_name(a.metadata)) +
               ",\"raid_disks\":" + std::to_string(a.raid_disks) + ",\"size\":" + std::to_string(a.array_size) +
               ",\"copied_whole\":" + (l.copied_whole ? "true" : "false") + ",\"fs_type\":" + json_string(l.fs_type) +
               ",\"used_bytes\":" + (l.used_known ? std::to_string(l.used_bytes) : "null") +
               ",\"note\":" + json_string(l.note) + ",\"members\":[";
        for (std::size_t m = 0; m < l.members.size(); ++m) {
            const ListedMdMember& member = l.members[m];
            out += std::string(m ? "," : "") + "{\"name\":" + json_string(member.name) +
                   ",\"state\":" + json_string(md_member_state_name(member.state)) +
                   ",\"slot\":" + (member.slot ? std::to_string(*member.slot) : "null") + "}";
        }
        out += "]}";
    }
    return out + "]";
}

}  // namespace kura
