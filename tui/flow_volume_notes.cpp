// The LVs shown under their disks on the save lists ("VolGroup00/LogVol00  ext4  3.1 GB
// used of 20 GB"): the operator chooses disks and partitions, and must see that a PV
// partition is saved LV by LV, and which LVs go whole with their PVs instead, and why.
#include "tui/flow_state.h"

#include "core/units.h"

#include <algorithm>
#include <string>
#include <vector>

namespace kura::tui {
namespace {

// The segment type that makes an LV go with its PVs ("thin-pool", "raid1"), in lvm2's own
// words: short enough for a list line, and what `lvs -o segtype` shows the operator.
std::string through_pvs_kind(const LvmLogicalVolume& lv) {
    for (const auto& seg : lv.segments) {
        if (seg.type != "striped") return seg.type;
        for (const auto& area : seg.areas)
            if (area.pv.empty()) return "stacked";
    }
    return "?";
}

// The LV's line, and a second one under it with why when that is a sentence of the engine's.
std::vector<std::string> lv_lines(const FlowState& flow, const ListedVolumeGroup& vg, const ListedLogicalVolume& l) {
    const std::string name = vg.found.vg.name + "/" + l.lv->name;
    const std::string size = format_bytes(l.size_bytes);
    if (l.verdict.layout == LvLayout::through_pvs)
        return {flow.t("volume.through_pvs", {{"name", name}, {"size", size}, {"type", through_pvs_kind(*l.lv)}})};
    if (l.verdict.layout == LvLayout::snapshot) return {flow.t("volume.snapshot", {{"name", name}, {"size", size}})};
    // Its filesystem was never probed: "unformatted" would be wrong, and the reason is long.
    if (l.unreadable) return {flow.t("volume.unreadable", {{"name", name}, {"size", size}}), "  (" + l.note + ")"};
    const std::string fs = l.fs_type.empty() ? flow.t("fs.unknown") : l.fs_type;
    std::string line = l.used_known ? flow.t("volume.lv_used", {{"name", name}, {"fs", fs}, {"used", format_bytes(l.used_bytes)},
                                                               {"size", size}})
                                    : flow.t("volume.lv", {{"name", name}, {"fs", fs}, {"size", size}});
    if (l.verdict.layout == LvLayout::striped) line += "  " + flow.t("volume.striped");
    // Why its filesystem was not read, as the engine said it.
    if (!l.note.empty()) line += "  (" + l.note + ")";
    return {line};
}

ScreenItem note(const std::string& key, const std::string& line) {
    return FlowState::note_item("lvm:" + key, line);
}

}  // namespace

ScreenItem FlowState::note_item(const std::string& key, const std::string& line) {
    ScreenItem i = item(key, line);
    i.enabled = false;
    i.note = true;
    return i;
}

std::vector<ScreenItem> FlowState::volume_notes(const std::vector<std::string>& pv_names) const {
    auto named = [&](const std::string& name) {
        return std::find(pv_names.begin(), pv_names.end(), name) != pv_names.end();
    };
    std::vector<ScreenItem> notes;
    for (const auto& vg : volume_groups) {
        const std::string& vg_name = vg.found.vg.name;
        if (vg.member_names.empty()) continue;
        // A VG spanning disks is listed once, under its first PV; its other PVs point there.
        if (named(vg.member_names.front())) {
            for (const auto& l : vg.lvs) {
                if (l.verdict.layout == LvLayout::hidden) continue;
                const auto lines = lv_lines(*this, vg, l);
                for (std::size_t i = 0; i < lines.size(); ++i)
                    notes.push_back(note(vg_name + "/" + l.lv->name + (i ? ":" + std::to_string(i) : ""), lines[i]));
            }
            if (vg.found.vg.lvs.empty()) notes.push_back(note(vg_name, t("volume.no_lvs", {{"vg", vg_name}})));
            for (const auto& missing : vg.found.missing)
                notes.push_back(note(vg_name + ":" + missing, t("volume.missing_pv", {{"vg", vg_name}, {"pv", missing}})));
        }
        for (std::size_t m = 1; m < vg.member_names.size(); ++m)
            if (named(vg.member_names[m]) && !named(vg.member_names.front()))
                notes.push_back(note(vg_name + ":" + vg.member_names[m],
                                     t("volume.other_pv", {{"vg", vg_name}, {"first", vg.member_names.front()}})));
    }
    for (auto& md : md_notes(pv_names)) notes.push_back(std::move(md));
    return notes;
}

}  // namespace kura::tui
