// What kind of LV this is for imaging (linear, striped, copied through its PVs, snapshot,
// hidden) and where its bytes lie in its PVs. The striped mapping is dm-stripe's
// (Linux drivers/md/dm-stripe.c): the segment is cut into chunks of stripe_size sectors
// dealt round-robin to the stripes, each stripe a contiguous run on its PV.
#include "volume/lvm_logical_volume_access.h"

#include "core/error.h"

#include <algorithm>

namespace kura {
namespace {

std::string through_pvs_reason(const std::string& type) {
    if (type == "thin-pool") return "a thin pool: copied through its PVs";
    if (type == "thin") return "a thin volume: its data is in the thin pool, copied through the PVs";
    if (type.rfind("raid", 0) == 0) return "a " + type + " volume: copied through its PVs";
    if (type == "mirror") return "a mirrored volume (or a pvmove in progress): copied through its PVs";
    if (type == "cache" || type == "cache-pool") return "a cache volume: copied through its PVs";
    if (type == "writecache") return "a writecache volume: copied through its PVs";
    if (type == "vdo" || type == "vdo-pool") return "a VDO volume: copied through its PVs";
    if (type == "integrity") return "an integrity volume: copied through its PVs";
    return "segment type " + type + ": copied through its PVs";
}

}  // namespace

LvVerdict classify_logical_volume(const LvmVolumeGroup& /*vg*/, const LvmLogicalVolume& lv) {
    LvVerdict v;
    for (const auto& seg : lv.segments) {
        if (seg.type == "snapshot") {
            v.layout = LvLayout::snapshot;
            v.reason = "a snapshot: not imaged as a volume (its changes go with the PVs)";
            return v;
        }
    }
    if (!lv.visible()) {
        v.layout = LvLayout::hidden;
        v.reason = "part of another volume";
        return v;
    }
    bool striped = false;
    for (const auto& seg : lv.segments) {
        if (seg.type != "striped") {
            v.layout = LvLayout::through_pvs;
            v.reason = through_pvs_reason(seg.type);
            return v;
        }
        for (const auto& a : seg.areas) {
            if (a.pv.empty()) {
                v.layout = LvLayout::through_pvs;
                v.reason = "stacked on LV " + a.lv + ": copied through its PVs";
                return v;
            }
        }
        if (seg.stripe_count > 1) striped = true;
    }
    v.layout = striped ? LvLayout::striped : LvLayout::linear;
    return v;
}

std::vector<LvPiece> logical_volume_pieces(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv,
                                           std::uint64_t offset, std::uint64_t length) {
    const std::uint64_t extent = vg.extent_bytes();
    const std::uint64_t lv_bytes = lv.extent_count() * extent;
    if (offset > lv_bytes || length > lv_bytes - offset)
        throw Error(ExitCode::internal, "bytes " + std::to_string(offset) + "+" + std::to_string(length) +
                                            " are outside LV " + lv.name + " (" + std::to_string(lv_bytes) + " bytes)");
    std::vector<LvPiece> pieces;
    auto add = [&](std::uint64_t at, const std::string& pv_name, std::uint64_t pv_at, std::uint64_t n) {
        // Neighbours on one PV merge, so a linear LV whose segments follow each other on disk
        // is one piece.
        if (!pieces.empty()) {
            LvPiece& last = pieces.back();
            if (last.pv == pv_name && last.lv_offset + last.length == at && last.pv_offset + last.length == pv_at) {
                last.length += n;
                return;
            }
        }
        pieces.push_back({at, pv_name, pv_at, n});
    };
    const std::uint64_t end = offset + length;
    for (const auto& seg : lv.segments) {
        const std::uint64_t seg_start = seg.start_extent * extent;
        const std::uint64_t seg_end = seg_start + seg.extent_count * extent;
        if (seg_end <= offset || seg_start >= end) continue;
        if (seg.type != "striped" || seg.areas.empty() ||
            std::any_of(seg.areas.begin(), seg.areas.end(), [](const LvmArea& a) { return a.pv.empty(); }))
            throw Error(ExitCode::internal, "LV " + lv.name + " is not linear or striped on PVs");
        auto pv_start_of = [&](const LvmArea& a) {
            const LvmPhysicalVolume* pv = vg.pv_named(a.pv);
            return pv->pe_start * 512 + a.first_extent * extent;
        };
        std::uint64_t at = std::max(offset, seg_start);
        const std::uint64_t stop = std::min(end, seg_end);
        if (seg.stripe_count <= 1) {
            add(at, seg.areas[0].pv, pv_start_of(seg.areas[0]) + (at - seg_start), stop - at);
            continue;
        }
        const std::uint64_t chunk = seg.stripe_size * 512;
        while (at < stop) {
            const std::uint64_t x = at - seg_start;
            const std::uint64_t k = x / chunk;
            const std::uint64_t within = x % chunk;
            const LvmArea& area = seg.areas[k % seg.stripe_count];
            const std::uint64_t row = k / seg.stripe_count;
            const std::uint64_t n = std::min(chunk - within, stop - at);
            add(at, area.pv, pv_start_of(area) + row * chunk + within, n);
            at += n;
        }
    }
    return pieces;
}

}  // namespace kura
