#include "ops/volume_listing.h"

#include "core/error.h"
#include "core/json.h"
#include "core/units.h"
#include "device/probe.h"
#include "fs/filesystem.h"
#include "ops/disk_table_notes.h"

#include <map>
#include <memory>
#include <utility>

namespace kura {
namespace {

const char* layout_name(LvLayout layout) {
    switch (layout) {
    case LvLayout::linear: return "linear";
    case LvLayout::striped: return "striped";
    case LvLayout::through_pvs: return "through_pvs";
    case LvLayout::snapshot: return "snapshot";
    case LvLayout::hidden: return "hidden";
    }
    return "?";
}

// What the LV holds, read through a node of kura's own (never an activated VG).
void probe_logical_volume(const ListedVolumeGroup& vg, ListedLogicalVolume& listed) {
    const std::string unavailable = logical_volume_node_unavailable(vg.found.vg, *listed.lv);
    if (!unavailable.empty()) {
        listed.note = unavailable;
        listed.unreadable = true;
        return;
    }
    try {
        const auto node = open_logical_volume(vg.found.vg, *listed.lv, vg.found.found, Access::read_only, Role::source);
        listed.fs_type = probe_filesystem(node->path()).type;
        if (const FilesystemReader* reader = filesystem_reader_for(listed.fs_type)) {
            const UsedBlockMap map = reader->read_used_blocks(node->path(), FsReadOptions{});
            listed.used_bytes = map.used.count() * map.block_size;
            listed.used_known = true;
        }
    } catch (const Error& e) {
        listed.note = e.what();
    }
}

std::string lv_line(const ListedVolumeGroup& vg, const ListedLogicalVolume& l) {
    std::string line = "    " + vg.found.vg.name + "/" + l.lv->name + "  ";
    if (l.verdict.layout == LvLayout::through_pvs || l.verdict.layout == LvLayout::snapshot)
        return line + format_bytes(l.size_bytes) + "  " + l.verdict.reason;
    if (!l.fs_type.empty()) line += l.fs_type + "  ";
    if (l.used_known) line += format_bytes(l.used_bytes) + " used of ";
    line += format_bytes(l.size_bytes);
    if (l.verdict.layout == LvLayout::striped) line += "  striped";
    if (!l.note.empty()) line += "  (" + l.note + ")";
    return line;
}

}  // namespace

std::vector<ListedVolumeGroup> list_volume_groups(const std::vector<DiskInfo>& disks) {
    std::vector<PvCandidate> candidates;
    for (const auto& d : disks) {
        // libblkid passes over an LVM label whose CRC is wrong, so devices where it found
        // nothing are read too: a damaged PV is then named, not silently left out.
        const auto maybe_pv = [](const std::string& type) { return type == "LVM2_member" || type.empty(); };
        if (d.partitions.empty() && maybe_pv(d.fs_type)) candidates.push_back({d.name, {d.path, 0, d.size_bytes}});
        for (const auto& p : d.partitions)
            if (maybe_pv(p.fs_type)) candidates.push_back({p.name, {p.path, 0, p.size_bytes}});
    }
    std::vector<ListedVolumeGroup> result;
    if (candidates.empty()) return result;
    for (auto& found : discover_volume_groups(candidates)) {
        ListedVolumeGroup vg;
        vg.found = std::move(found);
        for (const auto& c : candidates)
            for (const auto& [id, where] : vg.found.found)
                if (where.path == c.where.path) vg.member_names.push_back(c.name);
        result.push_back(std::move(vg));
    }
    // LV pointers into the VG are taken once the VGs have stopped moving.
    for (auto& vg : result) {
        for (const auto& lv : vg.found.vg.lvs) {
            ListedLogicalVolume listed;
            listed.lv = &lv;
            listed.verdict = classify_logical_volume(vg.found.vg, lv);
            listed.size_bytes = lv.extent_count() * vg.found.vg.extent_bytes();
            if (listed.verdict.layout == LvLayout::hidden) {
                vg.lvs.push_back(std::move(listed));
                continue;
            }
            if (!vg.found.missing.empty()) listed.note = "a PV of its VG is missing";
            else if (listed.verdict.layout == LvLayout::linear || listed.verdict.layout == LvLayout::striped)
                probe_logical_volume(vg, listed);
            vg.lvs.push_back(std::move(listed));
        }
    }
    return result;
}

std::string with_volume_groups(const std::string& table, const std::vector<ListedVolumeGroup>& vgs) {
    // The lines of each VG, keyed by the row name of its first PV ("loop3", "|-sda2", "`-sda2").
    std::map<std::string, std::string> under;
    std::string unplaced;
    for (const auto& vg : vgs) {
        std::string lines;
        for (const auto& l : vg.lvs)
            if (l.verdict.layout != LvLayout::hidden) lines += lv_line(vg, l) + "\n";
        if (vg.found.vg.lvs.empty()) lines += "    " + vg.found.vg.name + "  (no logical volumes)\n";
        for (const auto& m : vg.found.missing) lines += "    " + vg.found.vg.name + "  missing PV " + m + "\n";
        if (vg.member_names.empty()) {
            unplaced += lines;
            continue;
        }
        under[vg.member_names.front()] += lines;
        for (std::size_t i = 1; i < vg.member_names.size(); ++i)
            under[vg.member_names[i]] += "    (a PV of " + vg.found.vg.name + ", listed under " +
                                         vg.member_names.front() + ")\n";
    }
    return with_lines_under_rows(table, std::move(under), std::move(unplaced));
}

std::string volume_groups_json(const std::vector<ListedVolumeGroup>& vgs) {
    std::string out = "[";
    for (std::size_t v = 0; v < vgs.size(); ++v) {
        const ListedVolumeGroup& vg = vgs[v];
        const LvmVolumeGroup& g = vg.found.vg;
        if (v) out += ",";
        out += "{\"name\":" + json_string(g.name) + ",\"id\":" + json_string(g.id) +
               ",\"seqno\":" + std::to_string(g.seqno) + ",\"extent_size\":" + std::to_string(g.extent_bytes()) +
               ",\"pvs\":[";
        for (std::size_t i = 0; i < g.pvs.size(); ++i) {
            const auto& pv = g.pvs[i];
            const auto it = vg.found.found.find(pv.id);
            out += std::string(i ? "," : "") + "{\"name\":" + json_string(pv.name) + ",\"id\":" + json_string(pv.id) +
                   ",\"device\":" + (it == vg.found.found.end() ? "null" : json_string(it->second.path)) +
                   ",\"pe_start\":" + std::to_string(pv.pe_start * 512) + ",\"pe_count\":" + std::to_string(pv.pe_count) +
                   "}";
        }
        out += "],\"missing\":[";
        for (std::size_t i = 0; i < vg.found.missing.size(); ++i)
            out += std::string(i ? "," : "") + json_string(vg.found.missing[i]);
        out += "],\"lvs\":[";
        for (std::size_t i = 0; i < vg.lvs.size(); ++i) {
            const ListedLogicalVolume& l = vg.lvs[i];
            out += std::string(i ? "," : "") + "{\"name\":" + json_string(l.lv->name) +
                   ",\"layout\":" + json_string(layout_name(l.verdict.layout)) +
                   ",\"reason\":" + json_string(l.verdict.reason) + ",\"size\":" + std::to_string(l.size_bytes) +
                   ",\"fs_type\":" + json_string(l.fs_type) +
                   ",\"used_bytes\":" + (l.used_known ? std::to_string(l.used_bytes) : "null") +
                   ",\"note\":" + json_string(l.note) + ",\"segments\":[";
            for (std::size_t s = 0; s < l.lv->segments.size(); ++s) {
                const LvmSegment& seg = l.lv->segments[s];
                out += std::string(s ? "," : "") + "{\"start_extent\":" + std::to_string(seg.start_extent) +
                       ",\"extent_count\":" + std::to_string(seg.extent_count) + ",\"type\":" + json_string(seg.type) +
                       ",\"stripe_size\":" + std::to_string(seg.stripe_size * 512) + ",\"areas\":[";
                for (std::size_t a = 0; a < seg.areas.size(); ++a) {
                    const LvmArea& area = seg.areas[a];
                    out += std::string(a ? "," : "") + "{\"pv\":" + json_string(area.pv) + ",\"lv\":" + json_string(area.lv) +
                           ",\"first_extent\":" + std::to_string(area.first_extent) +
                           ",\"extent_count\":" + std::to_string(seg.extent_count / std::max<std::uint32_t>(1, seg.stripe_count)) + "}";
                }
                out += "]}";
            }
            out += "],\"pieces\":";
            // Where the bytes are, as kura reads them; bounded so a striped LV of terabytes
            // does not print millions of chunks.
            if ((l.verdict.layout == LvLayout::linear || l.verdict.layout == LvLayout::striped)) {
                const auto pieces = logical_volume_pieces(g, *l.lv, 0, l.size_bytes);
                if (pieces.size() <= 4096) {
                    out += "[";
                    for (std::size_t p = 0; p < pieces.size(); ++p)
                        out += std::string(p ? "," : "") + "{\"lv_offset\":" + std::to_string(pieces[p].lv_offset) +
                               ",\"pv\":" + json_string(pieces[p].pv) + ",\"pv_offset\":" +
                               std::to_string(pieces[p].pv_offset) + ",\"length\":" + std::to_string(pieces[p].length) +
                               "}";
                    out += "]";
                } else {
                    out += "null";
                }
            } else {
                out += "null";
            }
            out += "}";
        }
        out += "]}";
    }
    return out + "]";
}

}  // namespace kura
