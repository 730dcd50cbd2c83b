#include "ops/md_sources.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/device.h"
#include "image/clonezilla_md.h"
#include "ops/md_data_window.h"

#include <algorithm>
#include <map>

namespace kura {
namespace {

constexpr const char* member_type = "linux_raid_member";

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
    return out;
}

struct MemberPlace {
    const SourceDisk* disk = nullptr;
    const SourcePartition* part = nullptr;
};

// The window onto a member's data: the disk image file at the partition's offset plus the
// data offset, or the partition's own device.
std::unique_ptr<LoopWindow> data_window(const MemberPlace& place, const MdDataWindow& window) {
    return open_md_data_window(place.disk->info.path, place.part->entry.start * place.disk->table.sector_size,
                               place.part->path, window);
}

std::string in_sync_names(const MdArray& a) {
    std::vector<std::string> names;
    for (const auto& m : a.active) names.push_back(m.name);
    return joined(names);
}

std::string level_note(const MdArray& a) {
    return md_level_name(a.level) + " member of " + a.device;
}

}  // namespace

MdSavePlan MdSavePlan::inspect(const std::vector<SourceDisk>& disks, const FsReadOptions& fs, SourceRepair repair,
                               std::vector<std::string>& warnings) {
    MdSavePlan plan;
    std::vector<MdMember> members;
    std::map<std::string, MemberPlace> places;
    for (const auto& disk : disks)
        for (const auto& part : disk.partitions) {
            if (part.probe.type != member_type || part.path.empty()) continue;
            Device device = Device::open(part.path, Access::read_only, Role::source);
            auto sb = read_md_superblock(device, 0, device.size(), part.name);
            if (!sb) {
                warnings.push_back(part.name + ": libblkid says linux_raid_member but kura finds no md superblock "
                                               "on it; copied whole (dd)");
                continue;
            }
            members.push_back({part.name, part.path, *sb});
            places[part.name] = {&disk, &part};
        }
    plan.arrays_ = describe_md_arrays(members);
    name_md_arrays(plan.arrays_);
    for (auto& array : plan.arrays_) {
        if (!array.missing_slots.empty()) {
            std::vector<std::string> slots;
            for (auto s : array.missing_slots) slots.push_back(std::to_string(s));
            throw Error(ExitCode::source_unsupported,
                        "md array " + array.device + " (" + md_level_name(array.level) + ", UUID " + array.uuid +
                            ") has " + std::to_string(array.raid_disks) + " members but the save holds only " +
                            (array.active.empty() ? std::string("none in sync") : in_sync_names(array)) +
                            " (slot " + joined(slots) + " missing); save every disk that holds a member of it");
        }
        for (std::size_t i = 0; i < array.not_read.size(); ++i)
            warnings.push_back(array.device + ": member " + array.not_read[i].name + " is not read (" +
                               array.not_read_reasons[i] + ")");
        for (const auto& name : array.all_member_names()) {
            auto r = run_tool({"mdadm", "--examine", places[name].part->path}, ExitCode::source_unsupported);
            if (r.exit_status != 0)
                throw Error(ExitCode::source_unsupported, name + ": mdadm --examine failed: " + r.output);
            plan.examine_.push_back({name, r.output});
        }
        if (array.level != 1) {
            warnings.push_back(array.device + " (" + md_level_name(array.level) + " of " +
                               joined(array.members_ordered()) +
                               "): its members are copied whole (dd), superblocks included, since kura reads only "
                               "RAID1 arrays without assembling them");
            continue;
        }
        const MdDataWindow window = raid1_data_window(array);
        const MemberPlace& place = places[window.member->name];
        plan.windows_.push_back(data_window(place, window));
        const std::string path = plan.windows_.back()->path();
        // --fsck would write through one member only and leave the mirror's halves
        // different; an md array's filesystem is read as it is.
        SourceRepair mode = repair == SourceRepair::repair ? SourceRepair::off : repair;
        if (repair == SourceRepair::repair)
            warnings.push_back(array.device + ": --fsck does not repair a filesystem on an md array (it would write "
                                              "one member only); repair it on the assembled array first");
        PartitionSource source = inspect_partition_before_repair(path, array.device, fs, mode, warnings);
        source.name = array.device;
        log::info(array.device + ": RAID1 of " + joined(array.members_ordered()) + ", read through " +
                  window.member->name + " at byte " + std::to_string(window.offset) + " (" +
                  std::to_string(window.size) + " bytes)");
        plan.imaged_.push_back(std::move(source));
        plan.window_members_.push_back(window.member->name);
    }
    return plan;
}

bool MdSavePlan::imaged_through_array(const std::string& partition) const {
    for (const auto& a : arrays_) {
        if (a.level != 1) continue;
        auto names = a.all_member_names();
        if (std::find(names.begin(), names.end(), partition) != names.end()) return true;
    }
    return false;
}

std::optional<PlanItem> MdSavePlan::member_plan_item(const SourcePartition& p) const {
    for (const auto& a : arrays_) {
        auto names = a.all_member_names();
        if (std::find(names.begin(), names.end(), p.name) == names.end()) continue;
        if (a.level == 1) return PlanItem{p.name, p.path, level_note(a) + " (imaged as " + a.device + ")", p.bytes, 0};
        return PlanItem{p.name, p.path, level_note(a) + " (dd)", p.bytes, p.bytes};
    }
    return std::nullopt;
}

std::vector<PlanItem> MdSavePlan::array_plan_items() const {
    std::vector<PlanItem> items;
    for (std::size_t i = 0; i < imaged_.size(); ++i) {
        const auto& s = imaged_[i];
        const MdArray* array = nullptr;
        for (const auto& a : arrays_)
            if (a.device == s.name) array = &a;
        std::string device = "RAID1 of " + joined(array->members_ordered()) + " (read through " +
                             window_members_[i] + ")";
        if (s.raw) items.push_back({s.name, device, s.probe.type + " (dd)", s.device_bytes, s.device_bytes});
        else items.push_back({s.name, device, s.probe.type, s.device_bytes, s.map.used.count() * s.map.block_size});
    }
    return items;
}

std::vector<std::pair<std::string, std::string>> MdSavePlan::files() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& a : arrays_) {
        out.push_back({md_config_file_name(a.device), md_config_text(md_config_for(a))});
        out.push_back({md_detail_file_name(a.device), md_detail_text(a)});
    }
    for (const auto& [member, text] : examine_) out.push_back({md_examine_file_name(member), text});
    return out;
}

}  // namespace kura
