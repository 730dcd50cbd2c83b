#include "ops/volume_sources.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/device.h"
#include "volume/lvm_discovery.h"

#include <algorithm>

namespace kura {
namespace {

// One line of at most 1024 printable bytes: a label on the source may hold anything, and
// lvm_logv.list is read back line by line (its reader caps a description at 4096).
std::string one_line(const std::string& text) {
    std::string out = text.substr(0, 1024);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return out;
}

// What `file -Ls` says of the LV, as Clonezilla's save_logv records it (its restore and
// ocs-chkimg only look for "swap" in it). Composed from libblkid's answer when `file` is
// missing or says nothing.
std::string describe_volume(const SourcePartition& part) {
    try {
        ToolResult r = run_tool({"file", "-Ls", part.path}, ExitCode::io_error);
        std::size_t colon = r.output.find(": ");
        if (r.exit_status == 0 && colon != std::string::npos) {
            std::string said = r.output.substr(colon + 2);
            while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) said.pop_back();
            if (said.find('\n') == std::string::npos && !said.empty()) return one_line(said);
        }
    } catch (const Error&) {
        // `file` is not installed: compose it below.
    }
    const ProbeResult& p = part.probe;
    if (p.type == "swap")
        return one_line("Linux swap file, UUID=" + p.uuid + (p.label.empty() ? "" : ", LABEL=" + p.label));
    if (p.type.empty()) return "data";
    return one_line(p.type + " filesystem data, UUID=" + p.uuid +
                    (p.label.empty() ? "" : ", volume name \"" + p.label + "\""));
}

// The first reason any LV of `vg` cannot be imaged on its own here, or empty.
std::string reason_for_whole_pvs(const LvmVolumeGroup& vg) {
    for (const auto& lv : vg.lvs) {
        LvVerdict verdict = classify_logical_volume(vg, lv);
        if (verdict.layout == LvLayout::through_pvs) return "LV " + lv.name + ": " + verdict.reason;
        if (verdict.layout != LvLayout::linear && verdict.layout != LvLayout::striped) continue;
        if (std::string why = logical_volume_node_unavailable(vg, lv); !why.empty()) return "LV " + lv.name + ": " + why;
    }
    return {};
}

std::string missing_members_message(const DiscoveredVolumeGroup& found, const std::vector<std::string>& present) {
    std::string s = "volume group " + found.vg.name + " has physical volumes outside this save: ";
    for (std::size_t i = 0; i < found.missing.size(); ++i) s += (i ? ", " : "") + found.missing[i];
    s += " (in the save:";
    for (const auto& p : present) s += " " + p;
    return s + "); save every disk that holds a PV of " + found.vg.name + " in one image";
}

// What lies before a PV's first extent: its label and (first) metadata area. Kept in the
// image for inspection and by-hand recovery (`dd` it back, then `pvck`); the restore itself
// recreates it with pvcreate --restorefile, as Clonezilla does.
std::vector<std::uint8_t> read_pv_header(const LvmVolumeGroup& vg, const std::string& uuid, const PvLocation& where) {
    constexpr std::uint64_t cap = 64ull << 20;  // pe_start is 1 MiB by default; a larger one is aligned data
    const LvmPhysicalVolume* pv = vg.pv_with_id(uuid);
    const std::uint64_t bytes = std::min<std::uint64_t>({pv ? pv->pe_start * 512 : 0, where.size, cap});
    std::vector<std::uint8_t> header(static_cast<std::size_t>(bytes));
    if (bytes > 0) Device::open(where.path, Access::read_only, Role::source).read_at(header.data(), header.size(), where.offset);
    return header;
}

}  // namespace

std::string pv_header_file_name(const std::string& partition) { return partition + "-lvm-pv-header"; }

bool SavedVolumeGroups::is_member(const std::string& partition) const {
    return std::any_of(pvs.begin(), pvs.end(), [&](const LvmPvLine& pv) { return pv.partition == partition; });
}

std::vector<PvCandidate> physical_volume_candidates(const std::vector<SourceDisk>& disks) {
    std::vector<PvCandidate> candidates;
    for (const auto& disk : disks)
        for (const auto& part : disk.partitions) {
            if (part.probe.type != "LVM2_member") continue;
            PvCandidate c;
            c.name = part.name;
            // A partition of a disk image file is a range of the file; a block device's
            // partition has its own node.
            if (disk.info.transport == Transport::file)
                c.where = PvLocation{disk.info.path, part.entry.start * disk.table.sector_size, part.bytes};
            else
                c.where = PvLocation{part.path, 0, part.bytes};
            candidates.push_back(c);
        }
    return candidates;
}

SavedVolumeGroups inspect_volume_groups(const std::vector<PvCandidate>& candidates, const FsReadOptions& fs,
                                        SourceRepair repair) {
    SavedVolumeGroups out;
    if (candidates.empty()) return out;

    for (auto& found : discover_volume_groups(candidates)) {
        // The save's partitions holding this VG, in the save's order, with their PV UUIDs.
        std::vector<std::string> members;
        std::vector<std::string> member_uuids;
        for (const auto& c : candidates)
            for (const auto& [uuid, where] : found.found)
                if (where.path == c.where.path && where.offset == c.where.offset) {
                    members.push_back(c.name);
                    member_uuids.push_back(uuid);
                    break;
                }
        if (!found.missing.empty()) throw Error(ExitCode::source_unsupported, missing_members_message(found, members));
        const LvmVolumeGroup& vg = found.vg;
        if (std::string why = reason_for_whole_pvs(vg); !why.empty()) {
            for (const auto& m : members)
                out.whole_pv_notes.emplace_back(
                    m, "LVM physical volume of " + vg.name + ": copied whole (dd) because " + why);
            continue;
        }
        for (std::size_t i = 0; i < members.size(); ++i) {
            out.pvs.push_back({vg.name, members[i], member_uuids[i]});
            out.pv_headers.emplace_back(members[i], read_pv_header(vg, member_uuids[i], found.found.at(member_uuids[i])));
        }
        for (const auto& lv : vg.lvs) {
            LvVerdict verdict = classify_logical_volume(vg, lv);
            if (verdict.layout == LvLayout::hidden) continue;
            if (verdict.layout == LvLayout::snapshot) {
                // Not in lvm_logv.list either: Clonezilla's checker and restore look for an
                // image of every LV listed there.
                out.notes.push_back(vg.name + "/" + lv.name + ": a snapshot: not imaged (its copy-on-write data "
                                    "is not saved; after a restore remove it with lvremove)");
                continue;
            }
            SavedLogicalVolume saved;
            saved.vg = vg.name;
            saved.lv = lv.name;
            saved.under = members.empty() ? std::string() : members.front();
            saved.part.name = lvm_image_name(vg.name, lv.name);
            saved.part.bytes = lv.extent_count() * vg.extent_bytes();
            out.nodes.push_back(open_logical_volume(vg, lv, found.found, Access::read_only, Role::source));
            saved.part.path = out.nodes.back()->path();
            if (repair == SourceRepair::repair)
                out.notes.push_back(vg.name + "/" + lv.name + ": --fsck does not repair logical volumes (kura never "
                                    "writes a source's LVs); an unclean filesystem is refused as without --fsck");
            inspect_partition_role(saved.part, fs, repair == SourceRepair::plan_only ? repair : SourceRepair::off,
                                   false, out.notes);
            out.lvs.push_back({vg.name, lv.name, describe_volume(saved.part)});
            log::info(saved.part.name + ": " + vg.name + "/" + lv.name + " (" + partition_role_name(saved.part.role) +
                      ") read through " + saved.part.path);
            out.volumes.push_back(std::move(saved));
        }
        out.vgs.push_back(vg);
    }
    return out;
}

std::vector<PlanItem> volume_plan_items(const SavedVolumeGroups& groups, const std::string& partition) {
    std::vector<PlanItem> items;
    for (const auto& v : groups.volumes) {
        if (v.under != partition) continue;
        const SourcePartition& p = v.part;
        // Read through a node of kura's own (a loop window), which says nothing to the operator.
        PlanItem item{v.vg + "/" + v.lv, "LV on " + v.under, p.probe.type, p.bytes, 0};
        item.depth = 1;
        switch (p.role) {
            case PartitionRole::filesystem: item.used_bytes = p.source.map.used.count() * p.source.map.block_size; break;
            case PartitionRole::raw:
                item.fs_type = p.probe.type.empty() ? "dd" : p.probe.type + " (dd)";
                item.used_bytes = p.bytes;
                break;
            case PartitionRole::swap: item.fs_type = "swap"; break;
            case PartitionRole::extended: break;
        }
        items.push_back(item);
    }
    return items;
}

}  // namespace kura
