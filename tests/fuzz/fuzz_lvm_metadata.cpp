// libFuzzer target: bytes as LVM metadata text (a metadata area's copy or an image's
// lvm_<VG>.conf). Damage must be Error(image_corrupt); text that parses must give LVs whose
// verdict and extent map never fail or overflow.
#include "core/error.h"
#include "fuzz_input.h"
#include "volume/lvm_logical_volume_access.h"
#include "volume/lvm_metadata.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kura;
    LvmVolumeGroup vg;
    try {
        vg = parse_lvm_metadata(fuzz::as_text(data, size), "fuzz", static_cast<int>(ExitCode::image_corrupt));
    } catch (const Error& e) {
        if (e.code() != ExitCode::image_corrupt) __builtin_trap();
        return 0;
    }
    for (const auto& lv : vg.lvs) {
        const LvVerdict verdict = classify_logical_volume(vg, lv);
        if (verdict.layout != LvLayout::linear && verdict.layout != LvLayout::striped) continue;
        const std::uint64_t bytes = lv.extent_count() * vg.extent_bytes();
        // The first and the last MiB: a whole striped LV of terabytes would be millions of chunks.
        const std::uint64_t window = std::min<std::uint64_t>(bytes, 1 << 20);
        for (const std::uint64_t start : {std::uint64_t(0), bytes - window}) {
            std::uint64_t covered = 0;
            for (const auto& piece : logical_volume_pieces(vg, lv, start, window)) {
                if (piece.lv_offset != start + covered || piece.length == 0) __builtin_trap();
                const LvmPhysicalVolume* pv = vg.pv_named(piece.pv);
                if (!pv) __builtin_trap();
                // Every piece lies inside its PV's extents.
                const std::uint64_t pv_end = pv->pe_start * 512 + pv->pe_count * vg.extent_bytes();
                if (piece.pv_offset < pv->pe_start * 512 || piece.pv_offset + piece.length > pv_end) __builtin_trap();
                covered += piece.length;
            }
            if (covered != window) __builtin_trap();
        }
    }
    return 0;
}
