#include "ops/save_sources.h"

#include "core/error.h"
#include "device/probe.h"
#include "image/image_name.h"
#include "ops/source_repair.h"

#include <set>

namespace kura {
namespace {

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
    for (std::size_t i = 0; i < request.sources.size(); ++i) {
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
        sources.imaged.push_back(std::move(s));
    }
    sources.parts = sources.listed;
    return sources;
}

PlanItem partition_plan_item(const SourcePartition& p, std::vector<std::string>& warnings) {
    PlanItem item{p.name, p.path, p.probe.type, p.bytes, 0};
    switch (p.role) {
        case PartitionRole::filesystem: item.used_bytes = p.source.map.used.count() * p.source.map.block_size; break;
        case PartitionRole::raw:
            item.fs_type = p.probe.type.empty() ? "dd" : p.probe.type + " (dd)";
            item.used_bytes = p.bytes;
            warnings.push_back(p.name + ": " + p.note);
            break;
        case PartitionRole::swap: item.fs_type = "swap"; break;
        case PartitionRole::extended: item.fs_type = "extended"; break;
    }
    return item;
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
    for (const auto& disk : sources.disks) {
        sources.warnings.insert(sources.warnings.end(), disk.warnings.begin(), disk.warnings.end());
        sources.plan_items.push_back({disk.info.name,
                                      disk.info.path + " (" + table_kind_name(disk.table.kind) + ", " +
                                          disk.info.identity() + ")",
                                      "disk", disk.info.size_bytes, 0});
        for (const auto& p : disk.partitions) {
            sources.plan_items.push_back(partition_plan_item(p, sources.warnings));
            if (p.role == PartitionRole::extended) continue;
            sources.listed.push_back({p.name, p.probe, p.bytes});
            if (p.role == PartitionRole::swap) continue;
            sources.parts.push_back(sources.listed.back());
            sources.imaged.push_back(p.source);
        }
    }
    return sources;
}

}  // namespace

const char* save_scope_verb(SaveScope scope) { return scope == SaveScope::disks ? "savedisk" : "saveparts"; }

SaveSources inspect_save_sources(const SaveRequest& request, const SystemView& system) {
    return request.scope == SaveScope::disks ? disk_sources(request, system) : partition_sources(request, system);
}

}  // namespace kura
