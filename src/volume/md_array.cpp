#include "volume/md_array.h"

#include "core/error.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <map>
#include <set>

namespace kura {
namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// The facts every member of one array must agree on.
void check_same_array(const MdArray& array, const MdMember& first, const MdMember& m) {
    const MdSuperblock& a = first.superblock;
    const MdSuperblock& b = m.superblock;
    std::string field;
    if (a.metadata != b.metadata) field = "metadata";
    else if (a.level != b.level) field = "level";
    else if (a.raid_disks != b.raid_disks) field = "raid_disks";
    else if (a.layout != b.layout) field = "layout";
    else if (a.chunk_bytes != b.chunk_bytes) field = "chunk";
    else if (a.name != b.name) field = "name";
    if (!field.empty() && b.events >= array.events)
        throw Error(ExitCode::source_unsupported, "md array " + array.uuid + ": members " + first.name + " and " +
                                                      m.name + " disagree about its " + field);
}

}  // namespace

std::vector<std::string> MdArray::members_ordered() const {
    std::vector<std::string> out(raid_disks, "missing");
    for (const auto& m : active) out[*m.superblock.role] = m.name;
    for (const auto& m : spares) out.push_back(m.name);
    return out;
}

std::vector<std::string> MdArray::all_member_names() const {
    std::vector<std::string> out;
    for (const auto* group : {&active, &spares, &not_read})
        for (const auto& m : *group) out.push_back(m.name);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<MdArray> describe_md_arrays(const std::vector<MdMember>& members) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<const MdMember*>> by_uuid;
    for (const auto& m : members) {
        if (!by_uuid.count(m.superblock.uuid)) order.push_back(m.superblock.uuid);
        by_uuid[m.superblock.uuid].push_back(&m);
    }
    std::vector<MdArray> arrays;
    for (const auto& uuid : order) {
        const auto& group = by_uuid[uuid];
        // The newest superblock describes the array; older ones belong to members that
        // missed writes and must not be read.
        const MdMember* newest = group.front();
        for (const auto* m : group)
            if (m->superblock.events > newest->superblock.events) newest = m;
        const MdSuperblock& sb = newest->superblock;
        MdArray array;
        array.uuid = uuid;
        array.name = sb.name;
        array.metadata = sb.metadata;
        array.level = sb.level;
        array.raid_disks = sb.raid_disks;
        array.layout = sb.layout;
        array.chunk_bytes = sb.chunk_bytes;
        array.events = sb.events;
        array.array_size = sb.array_size;
        array.preferred_minor = sb.preferred_minor;
        std::map<std::uint32_t, const MdMember*> slots;
        for (const auto* m : group) {
            check_same_array(array, *newest, *m);
            const MdSuperblock& s = m->superblock;
            std::string reason;
            if (s.events < array.events)
                reason = "stale: events " + std::to_string(s.events) + " < " + std::to_string(array.events);
            else if (s.faulty)
                reason = "marked faulty";
            else if (s.recovery_offset)
                reason = "still being rebuilt (recovered up to byte " + std::to_string(*s.recovery_offset) + ")";
            if (!reason.empty()) {
                array.not_read.push_back(*m);
                array.not_read_reasons.push_back(reason);
                continue;
            }
            if (!s.role) {
                array.spares.push_back(*m);
                continue;
            }
            if (slots.count(*s.role))
                throw Error(ExitCode::source_unsupported, "md array " + uuid + ": members " + slots[*s.role]->name +
                                                              " and " + m->name + " both claim slot " +
                                                              std::to_string(*s.role));
            slots[*s.role] = m;
        }
        for (std::uint32_t slot = 0; slot < array.raid_disks; ++slot) {
            if (slots.count(slot)) array.active.push_back(*slots[slot]);
            else array.missing_slots.push_back(slot);
        }
        arrays.push_back(std::move(array));
    }
    return arrays;
}

void name_md_arrays(std::vector<MdArray>& arrays) {
    std::set<std::uint32_t> taken;
    std::vector<bool> named(arrays.size(), false);
    auto wanted = [](const MdArray& a) -> std::optional<std::uint32_t> {
        if (a.metadata == MdMetadata::v0_90) return a.preferred_minor;
        const auto colon = a.name.rfind(':');
        const std::string tail = colon == std::string::npos ? a.name : a.name.substr(colon + 1);
        if (tail.empty() || tail.size() > 3 || !std::all_of(tail.begin(), tail.end(), ::isdigit)) return std::nullopt;
        return static_cast<std::uint32_t>(std::stoul(tail));
    };
    for (std::size_t i = 0; i < arrays.size(); ++i)
        if (auto n = wanted(arrays[i]); n && taken.insert(*n).second) {
            arrays[i].device = "md" + std::to_string(*n);
            named[i] = true;
        }
    std::uint32_t next = 0;
    for (std::size_t i = 0; i < arrays.size(); ++i) {
        if (named[i]) continue;
        while (taken.count(next)) ++next;
        taken.insert(next);
        arrays[i].device = "md" + std::to_string(next);
    }
}

MdDataWindow raid1_data_window(const MdArray& array) {
    const std::string what = "md array " + (array.device.empty() ? array.uuid : array.device);
    if (array.level != 1) throw Error(ExitCode::internal, what + " is not RAID1; it has no single-member window");
    if (array.active.empty()) {
        std::vector<std::string> why;
        for (std::size_t i = 0; i < array.not_read.size(); ++i)
            why.push_back(array.not_read[i].name + " " + array.not_read_reasons[i]);
        throw Error(ExitCode::source_unsupported,
                    what + ": no member is in sync, so none can be read" + (why.empty() ? "" : " (" + joined(why) + ")"));
    }
    const MdMember& m = array.active.front();
    MdDataWindow window;
    window.member = &m;
    window.offset = m.superblock.data_offset;
    window.size = array.array_size;
    if (window.size == 0 || window.size > m.superblock.data_size)
        throw Error(ExitCode::source_unsupported, what + ": member " + m.name + " holds " +
                                                      std::to_string(m.superblock.data_size) +
                                                      " bytes of data, not the array's " + std::to_string(window.size));
    return window;
}

}  // namespace kura
