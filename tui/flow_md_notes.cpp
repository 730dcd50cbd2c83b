// The md arrays shown under their disks on the save lists ("md0  raid1 1.2  ext4  5.2 MB
// used of 15.0 MB  (members sdb1 sdc1)"): the operator chooses disks and partitions, and
// must see that a RAID1's members are saved as one filesystem, that other levels' members
// go whole, and which members are spare or stale.
#include "tui/flow_state.h"

#include "core/units.h"

#include <algorithm>
#include <string>
#include <vector>

namespace kura::tui {
namespace {

// "sdb1 sdc1 sdd1 spare": the members, each not in sync followed by its state in the
// operator's language.
std::string member_words(const FlowState& flow, const ListedMdArray& a) {
    std::string out;
    for (const auto& m : a.members) {
        out += (out.empty() ? "" : " ") + m.name;
        if (m.state != MdMemberState::in_sync) out += " " + flow.t("md.state." + md_member_state_name(m.state));
    }
    return out;
}

// The array's line, its members on a second (an 80-column screen has no room for both on
// one), and a third with the engine's words when its filesystem was not read.
std::vector<std::string> array_lines(const FlowState& flow, const ListedMdArray& l) {
    const MdArray& a = l.array;
    const std::string level = md_level_name(a.level), metadata = md_metadata_name(a.metadata);
    std::string line;
    if (l.copied_whole) {
        line = flow.t("md.copied_whole", {{"name", a.device}, {"level", level}, {"metadata", metadata}});
    } else {
        const std::string fs = l.fs_type.empty() ? flow.t("fs.unknown") : l.fs_type;
        line = flow.t(l.used_known ? "md.raid1_used" : "md.raid1",
                      {{"name", a.device}, {"level", level}, {"metadata", metadata}, {"fs", fs},
                       {"used", format_bytes(l.used_bytes)}, {"size", format_bytes(a.array_size)}});
    }
    std::vector<std::string> lines{line, "  " + flow.t("md.members", {{"members", member_words(flow, l)}})};
    if (!l.note.empty()) lines.push_back("  (" + l.note + ")");
    return lines;
}

}  // namespace

std::vector<ScreenItem> FlowState::md_notes(const std::vector<std::string>& member_names) const {
    auto named = [&](const std::string& name) {
        return std::find(member_names.begin(), member_names.end(), name) != member_names.end();
    };
    std::vector<ScreenItem> notes;
    for (const auto& l : md_arrays) {
        const std::string& device = l.array.device;
        // An array spanning disks is listed once, under its first member; its other members point there.
        if (named(l.first_member)) {
            const auto lines = array_lines(*this, l);
            for (std::size_t i = 0; i < lines.size(); ++i)
                notes.push_back(note_item("md:" + device + (i ? ":" + std::to_string(i) : ""), lines[i]));
            continue;
        }
        for (const auto& m : l.members)
            if (named(m.name)) {
                notes.push_back(note_item("md:" + device + ":" + m.name,
                                          t("md.other_member", {{"name", device}, {"first", l.first_member}})));
                break;
            }
    }
    return notes;
}

}  // namespace kura::tui
