#include "ops/save_sources.h"

#include "core/error.h"
#include "device/device.h"
#include "device/probe.h"
#include "image/image_name.h"
#include "ops/md_sources.h"
#include "ops/source_repair.h"

#include <map>
#include <set>

namespace kura {
namespace {

// Why a PV partition of this save is copied whole although it holds a VG; empty if not.
std::string whole_pv_note(const SavedVolumeGroups& lvm, const std::string& partition) {
    for (const auto& [name, note] : lvm.whole_pv_notes)
        if (name == partition) return note;
    return {};
}

// The LVs saved on their own, after every partition (as Clonezilla's save_logv runs after
// the partitions): imaged ones in `imaged`, swap ones only listed (swappt-VG-LV.info).
void add_logical_volumes(SaveSources& sources) {
    // "VG-LV" names an LV's files; with hyphens in names two LVs (or an LV and a partition)
    // could get one name, and one stream would overwrite the other.
    std::map<std::string, std::string> taken;
    for (const auto& d : sources.listed) taken[d.name] = "partition " + d.name;
    for (const auto& v : sources.lvm.volumes) {
        auto [it, fresh] = taken.emplace(v.part.name, "LV " + v.vg + "/" + v.lv);
        if (!fresh)
            throw Error(ExitCode::source_unsupported,
                        "LV " + v.vg + "/" + v.lv + " and " + it->second + " would both be named '" + v.part.name +
                            "' in the image; rename one (lvrename) and save again");
    }
    for (const auto& v : sources.lvm.volumes) {
        const SourcePartition& p = v.part;
        sources.listed.push_back({v.vg + "/" + v.lv, p.probe, p.bytes});
        if (p.role == PartitionRole::filesystem || p.role == PartitionRole::raw) sources.imaged.push_back(p.source);
        if (p.role == PartitionRole::raw) sources.warnings.push_back(v.vg + "/" + v.lv + ": " + p.note);
    }
    sources.warnings.insert(sources.warnings.end(), sources.lvm.notes.begin(), sources.lvm.notes.end());
}

SaveSources partition_sources(const SaveRequest& request, const SystemView& system) {
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto& path : request.sources) {
        refuse_busy_source(path, system);
        names.push_back(image_name_for(path));
        if (!seen.insert(names.back()).second)
            throw Error(ExitCode::usage, path + ": another source is also named '" + names.back() +
                                             "' in the image; each partition needs its own name");
    }
    const SourceRepair repair = source_repair_mode(request.repair_first, request.dry_run, request.resume);
    if (repair == SourceRepair::repair)
        for (std::size_t i = 0; i < request.sources.size(); ++i) {
            const std::string& path = request.sources[i];
            repair_source_filesystem(path, names[i], probe_filesystem(path).type, path);
        }
    SaveSources sources;
    // The PVs among the named partitions are saved by their LVs (or whole, as their VG allows).
    std::vector<PvCandidate> pvs;
    for (std::size_t i = 0; i < request.sources.size(); ++i) {
        const std::string& path = request.sources[i];
        if (probe_filesystem(path).type == "LVM2_member")
            pvs.push_back({names[i], PvLocation{path, 0, Device::open(path, Access::read_only, Role::source).size()}});
    }
    sources.lvm = inspect_volume_groups(pvs, request.fs, repair);
    for (std::size_t i = 0; i < request.sources.size(); ++i) {
        if (sources.lvm.is_member(names[i])) {
            PartitionSource s = inspect_raw_partition(request.sources[i], names[i]);
            sources.plan_items.push_back({s.name, s.path, "LVM2_member", s.device_bytes, 0});
            for (auto& item : volume_plan_items(sources.lvm, s.name)) sources.plan_items.push_back(item);
            sources.listed.push_back({s.name, s.probe, s.device_bytes});
            sources.parts.push_back(sources.listed.back());
            continue;
        }
        if (std::string note = whole_pv_note(sources.lvm, names[i]); !note.empty()) {
            PartitionSource s = inspect_raw_partition(request.sources[i], names[i]);
            sources.plan_items.push_back({s.name, s.path, "LVM2_member (dd)", s.device_bytes, s.device_bytes});
            sources.warnings.push_back(s.name + ": " + note);
            sources.listed.push_back({s.name, s.probe, s.device_bytes});
            sources.parts.push_back(sources.listed.back());
            sources.imaged.push_back(std::move(s));
            continue;
        }
        PartitionSource s =
            inspect_partition_before_repair(request.sources[i], names[i], request.fs, repair, sources.warnings);
        if (s.raw) {
            // Copied whole (--fs-force on a filesystem whose metadata is inconsistent).
            sources.plan_items.push_back({s.name, s.path, s.probe.type + " (dd)", s.device_bytes, s.device_bytes});
            sources.warnings.push_back(s.name + ": " + s.raw_reason);
        } else {
            sources.plan_items.push_back(
                {s.name, s.path, s.probe.type, s.device_bytes, s.map.used.count() * s.map.block_size});
        }
        sources.listed.push_back({s.name, s.probe, s.device_bytes});
        sources.parts.push_back(sources.listed.back());
        sources.imaged.push_back(std::move(s));
    }
    add_logical_volumes(sources);
    return sources;
}

PlanItem partition_plan_item(const SourcePartition& p, const std::string& note, std::vector<std::string>& warnings) {
    PlanItem item{p.name, p.path, p.probe.type, p.bytes, 0};
    switch (p.role) {
        case PartitionRole::filesystem: item.used_bytes = p.source.map.used.count() * p.source.map.block_size; break;
        case PartitionRole::raw:
            item.fs_type = p.probe.type.empty() ? "dd" : p.probe.type + " (dd)";
            item.used_bytes = p.bytes;
            warnings.push_back(p.name + ": " + note);
            break;
        case PartitionRole::swap: item.fs_type = "swap"; break;
        case PartitionRole::extended: item.fs_type = "extended"; break;
    }
    return item;
}

// md RAID1 arrays go into the image after the disks' partitions, as Clonezilla appends them.
void add_md_arrays(SaveSources& sources, MdSavePlan& md) {
    for (const auto& item : md.array_plan_items()) sources.plan_items.push_back(item);
    for (const auto& s : md.imaged()) {
        sources.listed.push_back({s.name, s.probe, s.device_bytes});
        sources.parts.push_back(sources.listed.back());
        sources.imaged.push_back(s);
    }
    sources.md_files = md.files();
    for (auto& window : md.take_windows()) sources.disks.front().windows.push_back(std::move(window));
}

SaveSources disk_sources(const SaveRequest& request, const SystemView& system) {
    if (request.sources.empty()) throw Error(ExitCode::usage, "savedisk needs at least one disk");
    SaveSources sources;
    std::set<std::string> names;
    const SourceRepair repair = source_repair_mode(request.repair_first, request.dry_run, request.resume);
    for (const auto& name : request.sources) {
        sources.disks.push_back(inspect_source_disk(name, request.fs, request.discovery, system, repair));
        if (!names.insert(sources.disks.back().info.name).second)
            throw Error(ExitCode::usage, name + ": another disk is also named '" + sources.disks.back().info.name +
                                             "' in the image (the same disk twice, or two files with one name)");
    }
    sources.lvm = inspect_volume_groups(physical_volume_candidates(sources.disks), request.fs, repair);
    MdSavePlan md = MdSavePlan::inspect(sources.disks, request.fs, repair, sources.warnings);
    for (const auto& disk : sources.disks) {
        sources.warnings.insert(sources.warnings.end(), disk.warnings.begin(), disk.warnings.end());
        sources.plan_items.push_back({disk.info.name,
                                      disk.info.path + " (" + table_kind_name(disk.table.kind) + ", " +
                                          disk.info.identity() + ")",
                                      "disk", disk.info.size_bytes, 0});
        for (const auto& p : disk.partitions) {
            if (sources.lvm.is_member(p.name)) {
                // Its data goes by its LVs: `parts` lists it, no data file, no dev-fs.list line.
                sources.plan_items.push_back({p.name, p.path, "LVM2_member", p.bytes, 0});
                for (auto& item : volume_plan_items(sources.lvm, p.name)) sources.plan_items.push_back(item);
                sources.listed.push_back({p.name, p.probe, p.bytes});
                sources.parts.push_back(sources.listed.back());
                continue;
            }
            std::string note = whole_pv_note(sources.lvm, p.name);
            auto member = md.member_plan_item(p);
            sources.plan_items.push_back(member ? *member
                                                : partition_plan_item(p, note.empty() ? p.note : note, sources.warnings));
            if (p.role == PartitionRole::extended) continue;
            sources.listed.push_back({p.name, p.probe, p.bytes});
            if (p.role == PartitionRole::swap || md.imaged_through_array(p.name)) continue;
            sources.parts.push_back(sources.listed.back());
            sources.imaged.push_back(p.source);
        }
    }
    add_logical_volumes(sources);
    add_md_arrays(sources, md);
    return sources;
}

}  // namespace

const char* save_scope_verb(SaveScope scope) { return scope == SaveScope::disks ? "savedisk" : "saveparts"; }

SaveSources inspect_save_sources(const SaveRequest& request, const SystemView& system) {
    return request.scope == SaveScope::disks ? disk_sources(request, system) : partition_sources(request, system);
}

}  // namespace kura
