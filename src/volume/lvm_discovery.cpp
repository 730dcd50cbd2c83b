// From candidate devices to volume groups: each device's label, its newest metadata text,
// the VGs grouped by id, and each VG's PVs matched to the devices by UUID. Devices that
// disagree about a VG are refused rather than guessed between: a source being saved must
// be read as lvm2 would see it, or not at all.
#include "volume/lvm_discovery.h"

#include "core/error.h"
#include "device/device.h"

#include <algorithm>
#include <map>

namespace kura {
namespace {

[[noreturn]] void refuse(const std::string& what) { throw Error(ExitCode::source_unsupported, what); }

struct Member {
    const PvCandidate* candidate;
    LvmLabel label;
    std::uint64_t size = 0;  // bytes of the PV
};

struct Group {
    LvmVolumeGroup vg;                         // the text with the highest seqno
    std::vector<std::pair<std::string, std::uint64_t>> seqnos;  // device name, its seqno
};

}  // namespace

std::vector<DiscoveredVolumeGroup> discover_volume_groups(const std::vector<PvCandidate>& devices) {
    std::vector<Member> members;
    std::map<std::string, Group> groups;  // by VG id
    for (const auto& c : devices) {
        const Device device = Device::open(c.where.path, Access::read_only, Role::source);
        if (c.where.offset > device.size()) refuse(c.name + " starts beyond the end of " + c.where.path);
        const std::uint64_t size = c.where.size ? c.where.size : device.size() - c.where.offset;
        if (size > device.size() - c.where.offset) refuse(c.name + " runs beyond the end of " + c.where.path);
        auto label = read_lvm_label(device, c.where.offset, size, c.name);
        if (!label) continue;
        const std::string text = read_lvm_metadata_text(device, c.where.offset, size, *label, c.name);
        members.push_back({&c, *label, size});
        if (text.empty()) continue;  // no metadata area here: the VG is known from another PV
        LvmVolumeGroup vg = parse_lvm_metadata(text, c.name, static_cast<int>(ExitCode::source_unsupported));
        if (!vg.pv_with_id(label->pv_uuid))
            refuse("the LVM metadata on " + c.name + " (VG " + vg.name + ") does not list its own PV " +
                   label->pv_uuid);
        Group& g = groups[vg.id];
        g.seqnos.emplace_back(c.name, vg.seqno);
        if (g.vg.id.empty() || vg.seqno > g.vg.seqno) g.vg = std::move(vg);
    }

    // One name, one VG: two VGs of the same name would be confused by lvm2 and by a restore.
    std::map<std::string, std::string> id_by_name;
    for (const auto& [id, g] : groups) {
        auto [it, fresh] = id_by_name.emplace(g.vg.name, id);
        if (!fresh) refuse("two different volume groups are named " + g.vg.name + " (ids " + it->second + " and " + id + ")");
        // PVs of one VG carry the same seqno: lvm2 writes every area in one commit. A
        // difference means a change was half written; lvm2 would repair it, a save must not.
        for (const auto& [name, seqno] : g.seqnos)
            if (seqno != g.vg.seqno)
                refuse("the PVs of volume group " + g.vg.name + " disagree: " + name + " has metadata seqno " +
                       std::to_string(seqno) + ", another has " + std::to_string(g.vg.seqno) +
                       " (a change was half written; let lvm2 repair it with vgck --updatemetadata first)");
    }

    std::vector<DiscoveredVolumeGroup> result;
    for (auto& [id, g] : groups) {
        DiscoveredVolumeGroup d;
        d.vg = std::move(g.vg);
        for (const auto& m : members) {
            const LvmPhysicalVolume* pv = d.vg.pv_with_id(m.label.pv_uuid);
            if (!pv) continue;
            if (d.found.count(pv->id))
                refuse("PV " + pv->id + " of volume group " + d.vg.name + " is on two devices: " +
                       d.found[pv->id].path + " and " + m.candidate->where.path +
                       " (a cloned disk? lvm2 would pick one; kura will not)");
            // The extents the metadata gives must be on the device, or reading them reads past it.
            const std::uint64_t needed = pv->pe_start * 512 + pv->pe_count * d.vg.extent_bytes();
            if (needed > m.size)
                refuse(m.candidate->name + " holds " + std::to_string(m.size) + " bytes but PV " + pv->name + " of " +
                       d.vg.name + " needs " + std::to_string(needed));
            PvLocation where = m.candidate->where;
            where.size = m.size;
            d.found[pv->id] = where;
        }
        for (const auto& pv : d.vg.pvs)
            if (!d.found.count(pv.id))
                d.missing.push_back(pv.id + (pv.device_hint.empty() ? "" : " (last seen as " + pv.device_hint + ")"));
        result.push_back(std::move(d));
    }
    std::sort(result.begin(), result.end(),
              [](const DiscoveredVolumeGroup& a, const DiscoveredVolumeGroup& b) { return a.vg.name < b.vg.name; });
    return result;
}

}  // namespace kura
