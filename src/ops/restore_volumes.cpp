#include "ops/restore_volumes.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "core/units.h"
#include "device/device.h"
#include "fs/filesystem.h"
#include "ops/restore_targets.h"
#include "ops/target_needs.h"
#include "volume/lvm_discovery.h"
#include "volume/lvm_logical_volume_access.h"
#include "volume/lvm_tools.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace kura {
namespace {

std::string lv_label(const ImageLogicalVolume& lv) { return lv.vg + "/" + lv.lv; }

// The bytes a PV's extents reach: a target partition smaller than that cannot hold it
// (pvcreate would refuse it too, but only after the table was written).
std::uint64_t pv_needed_bytes(const LvmVolumeGroup& vg, const LvmPhysicalVolume& pv) {
    return (pv.pe_start + pv.pe_count * vg.extent_size) * 512;
}

std::vector<const LvmPvLine*> pv_lines_of(const ImageVolumeGroups& groups, const std::string& vg) {
    std::vector<const LvmPvLine*> lines;
    for (const auto& line : groups.pvs)
        if (line.vg == vg) lines.push_back(&line);
    return lines;
}

void require_lvm_tools() {
    ToolResult version = run_tool({"lvm", "version"}, ExitCode::target_refused);
    if (version.exit_status != 0)
        throw Error(ExitCode::target_refused, "lvm2's `lvm` does not run here (" + version.output +
                                                  "); it is needed to recreate the image's volume groups");
}

// vgcfgrestore and pvcreate --restorefile read the VG's metadata from a local file; the
// image may be on NFS or SMB, so the text goes to a private temporary file first.
class RestoreFile {
public:
    explicit RestoreFile(const LvmVolumeGroup& vg) {
        std::string pattern = (std::filesystem::temp_directory_path() / "kura-lvm-XXXXXX").string();
        int fd = ::mkstemp(pattern.data());
        if (fd < 0) throw_errno(ExitCode::io_error, "cannot create a temporary file for the metadata of " + vg.name, errno);
        path_ = pattern;
        const char* p = vg.text.data();
        std::size_t left = vg.text.size();
        while (left > 0) {
            ssize_t n = ::write(fd, p, left);
            if (n <= 0) {
                int err = errno;
                ::close(fd);
                throw_errno(ExitCode::io_error, "cannot write " + path_, err);
            }
            p += n;
            left -= static_cast<std::size_t>(n);
        }
        ::close(fd);
    }
    RestoreFile(const RestoreFile&) = delete;
    RestoreFile& operator=(const RestoreFile&) = delete;
    ~RestoreFile() { ::unlink(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// The VG as the targets now hold it, read back from their labels: what kura writes
// through is what lvm2 wrote, not what the image said.
DiscoveredVolumeGroup read_back(const LvmVolumeGroup& saved, const std::vector<PvCandidate>& candidates) {
    for (auto& found : discover_volume_groups(candidates))
        if (found.vg.id == saved.id) {
            if (!found.missing.empty())
                throw Error(ExitCode::io_error, "volume group " + saved.name + " was recreated, but " +
                                                    std::to_string(found.missing.size()) +
                                                    " of its physical volumes cannot be found on the targets");
            return found;
        }
    throw Error(ExitCode::io_error, "volume group " + saved.name +
                                        " is not on its target partitions after vgcfgrestore; nothing was written into it");
}

// --grow-lv: the LV takes the VG's free extents and its filesystem grows into them. The
// data is restored by then, so anything that stops the growth is a warning, not a failure.
void grow_logical_volume(const LvmVolumeGroup& vg, const std::string& lv_name, const LvmToolScope& scope,
                         const std::vector<PvCandidate>& candidates, const OpenedImage& image) {
    const std::string label = vg.name + "/" + lv_name;
    log::info("extending logical volume " + label + " into the free space of " + vg.name);
    lvm_extend_lv_to_free(scope, vg.name, lv_name);
    DiscoveredVolumeGroup now = read_back(vg, candidates);
    const LvmLogicalVolume* meta = now.vg.lv_named(lv_name);
    std::string fs_type;
    for (const auto& lv : image.logical_volumes())
        if (lv.vg == vg.name && lv.lv == lv_name && lv.data) fs_type = lv.data->files.fs_type;
    const FilesystemReader* fs = filesystem_for(fs_type);
    if (!meta || !fs || !fs->grows()) return;  // the plan said so
    if (std::string why = logical_volume_node_unavailable(now.vg, *meta); !why.empty()) {
        log::warn(label + " was extended, but its " + fs_type + " filesystem cannot be grown here: " + why +
                  "; grow it once the system runs (resize2fs, xfs_growfs)");
        return;
    }
    auto node = open_logical_volume(now.vg, *meta, now.found, Access::read_write, Role::target);
    log::info("growing the " + fs_type + " filesystem on " + label + " to its logical volume");
    fs->grow(node->path());
}

}  // namespace

std::uint64_t physical_volume_needed_bytes(const OpenedImage& image, const std::string& partition) {
    const ImageVolumeGroups& groups = image.volume_groups();
    for (const auto& line : groups.pvs)
        if (line.partition == partition) {
            const LvmVolumeGroup* vg = groups.vg_named(line.vg);
            return pv_needed_bytes(*vg, *vg->pv_with_id(line.pv_uuid));
        }
    return 0;
}

void plan_volume_groups(const OpenedImage& image, const std::map<std::string, PvTargetPlan>& targets,
                        const std::string& grow_lv, Plan& plan) {
    const ImageVolumeGroups& groups = image.volume_groups();
    if (!grow_lv.empty()) {
        const auto& lvs = image.logical_volumes();
        auto it = std::find_if(lvs.begin(), lvs.end(), [&](const ImageLogicalVolume& lv) { return lv_label(lv) == grow_lv; });
        if (it == lvs.end() || !it->data)
            throw Error(ExitCode::usage, "--grow-lv " + grow_lv + ": the image holds no logical volume of that name " +
                                             "with a filesystem (VG/LV, as the plan lists them)");
        const FilesystemReader* fs = filesystem_for(it->data->files.fs_type);
        if (!fs || !fs->grows())
            plan.warnings.push_back({"plan.volume_fs_not_grown",
                                     grow_lv + " takes the new space, but kura does not grow " +
                                         it->data->files.fs_type + ": the filesystem stays at its saved size",
                                     {{"volume", grow_lv}, {"fs", it->data->files.fs_type}}});
    }
    if (groups.empty()) return;
    require_lvm_tools();
    for (const auto& vg : groups.vgs) {
        for (const LvmPvLine* line : pv_lines_of(groups, vg.name)) {
            auto target = targets.find(line->partition);
            if (target == targets.end())
                throw Error(ExitCode::usage, "volume group " + vg.name + " has a physical volume on " +
                                                 line->partition + ", which this restore gives no target");
            const std::uint64_t need = pv_needed_bytes(vg, *vg.pv_with_id(line->pv_uuid));
            if (target->second.bytes < need)
                throw Error(ExitCode::target_refused,
                            target->second.where + " has " + format_bytes(target->second.bytes) +
                                " but the physical volume of " + vg.name + " saved from " + line->partition + " needs " +
                                format_bytes(need) + "; LVM cannot shrink a physical volume kura restores");
        }
    }
    for (const auto& lv : image.logical_volumes()) {
        const LvmVolumeGroup* vg = groups.vg_named(lv.vg);
        const LvmLogicalVolume* meta = vg->lv_named(lv.lv);
        const std::uint64_t lv_bytes = meta->extent_count() * vg->extent_bytes();
        std::string where;
        for (const LvmPvLine* line : pv_lines_of(groups, lv.vg))
            where += (where.empty() ? "" : ", ") + targets.at(line->partition).where;
        PlanItem item{lv_label(lv), where, "", lv_bytes, 0};
        item.depth = 1;  // under its PV's row
        if (lv.swap) {
            item.fs_type = "swap";
        } else if (lv.data) {
            if (std::string why = logical_volume_node_unavailable(*vg, *meta); !why.empty())
                throw Error(ExitCode::target_refused,
                            "logical volume " + lv_label(lv) + " cannot be written here: " + why +
                                " (restore this image from the kura live system)");
            target_room_bytes(*lv.data, image.manifest(), lv_bytes, lv_bytes, "logical volume " + lv_label(lv));
            item.fs_type = lv.data->files.fs_type;
            item.used_bytes = partition_data_bytes(*lv.data, image.manifest(), lv_bytes);
        } else {
            item.fs_type = "(left empty)";
            plan.warnings.push_back({"plan.volume_left_empty",
                                     lv_label(lv) + ": the image holds no data for this logical volume; it is "
                                                    "recreated empty",
                                     {{"volume", lv_label(lv)}}});
        }
        // Under its (first) PV's row, after the LVs placed there already.
        const std::string pv_row = pv_lines_of(groups, lv.vg).front()->partition;
        auto at = std::find_if(plan.items.begin(), plan.items.end(), [&](const PlanItem& i) { return i.name == pv_row; });
        if (at != plan.items.end()) ++at;
        while (at != plan.items.end() && at->depth > 0) ++at;
        plan.items.insert(at, item);
    }
}

void restore_volume_groups(const Repository& repo, const OpenedImage& image,
                           const std::map<std::string, std::string>& pv_paths, const std::set<std::string>& grown,
                           const std::string& grow_lv, Progress& progress, const CancelToken& cancel,
                           RestoreSummary& summary) {
    const ImageVolumeGroups& groups = image.volume_groups();
    for (const auto& vg : groups.vgs) {
        LvmToolScope scope;
        std::vector<PvCandidate> candidates;
        std::vector<std::pair<const LvmPvLine*, std::string>> members;
        for (const LvmPvLine* line : pv_lines_of(groups, vg.name)) {
            const std::string& path = pv_paths.at(line->partition);
            scope.devices.push_back(path);
            members.emplace_back(line, path);
            Device device = Device::open(path, Access::read_only, Role::target);
            candidates.push_back({line->partition, {path, 0, device.size()}});
        }
        {
            RestoreFile file(vg);
            for (const auto& [line, path] : members) {
                log::info("recreating physical volume " + line->pv_uuid + " of " + vg.name + " on " + path);
                lvm_recreate_pv(scope, path, line->pv_uuid, file.path());
            }
            log::info("restoring the metadata of volume group " + vg.name);
            lvm_restore_metadata(scope, vg.name, file.path());
        }
        bool vg_grew = false;
        for (const auto& [line, path] : members)
            if (grown.count(line->partition)) {
                log::info("growing physical volume " + path + " to its grown partition");
                lvm_resize_pv(scope, path);
                vg_grew = true;
            }
        DiscoveredVolumeGroup now = read_back(vg, candidates);
        for (const auto& lv : image.logical_volumes()) {
            if (lv.vg != vg.name || (!lv.swap && !lv.data)) continue;
            const LvmLogicalVolume* meta = now.vg.lv_named(lv.lv);
            if (!meta)
                throw Error(ExitCode::io_error, "logical volume " + lv_label(lv) + " is missing after vgcfgrestore");
            auto node = open_logical_volume(now.vg, *meta, now.found, Access::read_write, Role::target);
            if (lv.swap) {
                log::info("recreating swap on " + lv_label(lv) + " (UUID " + lv.swap_record.uuid + ")");
                recreate_swap(node->path(), lv.swap_record);
                continue;
            }
            {
                Device device = Device::open(node->path(), Access::read_write, Role::target);
                restore_onto(repo, image, *lv.data, device, std::nullopt, progress, cancel, summary);
            }
        }
        const std::string prefix = vg.name + "/";
        if (grow_lv.rfind(prefix, 0) == 0) {
            if (vg_grew) grow_logical_volume(vg, grow_lv.substr(prefix.size()), scope, candidates, image);
            else log::warn("--grow-lv " + grow_lv + ": its volume group did not grow (its PV is not the partition "
                           "--grow extended), so the LV keeps its size");
        }
    }
}

}  // namespace kura
