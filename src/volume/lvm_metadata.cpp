#include "volume/lvm_metadata.h"

#include <algorithm>

namespace kura {

bool LvmLogicalVolume::visible() const { return std::find(status.begin(), status.end(), "VISIBLE") != status.end(); }

std::uint64_t LvmLogicalVolume::extent_count() const {
    std::uint64_t n = 0;
    for (const auto& s : segments) n += s.extent_count;
    return n;
}

const LvmPhysicalVolume* LvmVolumeGroup::pv_named(const std::string& wanted) const {
    for (const auto& pv : pvs)
        if (pv.name == wanted) return &pv;
    return nullptr;
}

const LvmPhysicalVolume* LvmVolumeGroup::pv_with_id(const std::string& wanted) const {
    for (const auto& pv : pvs)
        if (pv.id == wanted) return &pv;
    return nullptr;
}

const LvmLogicalVolume* LvmVolumeGroup::lv_named(const std::string& wanted) const {
    for (const auto& lv : lvs)
        if (lv.name == wanted) return &lv;
    return nullptr;
}

}  // namespace kura
