// How kura reaches the bytes of one logical volume without activating its volume group:
// where each of its extents lies in its physical volumes, and a device node for it that
// libext2fs, libntfs-3g, mkswap and the pipeline can open.
#pragma once

#include "device/device.h"
#include "volume/lvm_metadata.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kura {

// How an LV is imaged, decided from its segments.
enum class LvLayout {
    linear,       // one or more linear segments on PVs: imaged by its filesystem
    striped,      // striped segments on PVs: imaged by its filesystem
    through_pvs,  // thin pool, thin, raid, mirror, cache, vdo ...: its bytes go with the PVs copied whole
    snapshot,     // an old-style snapshot: not imaged as a volume (its COW LV goes with the PVs)
    hidden        // a sub-LV of another (_rimage_0, _tdata, the snapshot's COW): never listed on its own
};

struct LvVerdict {
    LvLayout layout = LvLayout::linear;
    std::string reason;  // for the plan: why it is copied through its PVs, or not imaged
};
LvVerdict classify_logical_volume(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv);

// One piece of an LV in its PVs, in LV order. A linear segment is one piece per segment;
// a striped segment is cut at every chunk.
struct LvPiece {
    std::uint64_t lv_offset = 0;  // bytes
    std::string pv;               // pv0 ...
    std::uint64_t pv_offset = 0;  // bytes from the PV's start (pe_start included)
    std::uint64_t length = 0;     // bytes
};
// The pieces of [offset, offset+length) of the LV; throws Error(internal) for a layout
// that is not linear or striped.
std::vector<LvPiece> logical_volume_pieces(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv,
                                           std::uint64_t offset, std::uint64_t length);

// Where a PV's bytes are: a block device (/dev/sda2, offset 0) or a range of a disk image
// file (the file, the partition's offset), keyed by the PV's UUID.
struct PvLocation {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};
using PvLocations = std::map<std::string, PvLocation>;

// A device node showing one LV: a loop window over its PV when the LV is one linear
// piece; a device-mapper table of kura's own (dmsetup, read-only for a source) for more
// pieces, where the kernel has device-mapper. Removed when the object goes away. The VG is
// never activated and its metadata never written.
class LogicalVolumeNode {
public:
    virtual ~LogicalVolumeNode() = default;
    virtual const std::string& path() const = 0;
};

// Empty when open_logical_volume() can give this LV a node here; otherwise why not (for
// the plan: "2 segments and this kernel has no device-mapper"), and the LV goes with its
// PVs copied whole.
std::string logical_volume_node_unavailable(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv);
std::unique_ptr<LogicalVolumeNode> open_logical_volume(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv,
                                                       const PvLocations& pvs, Access access, Role role);

}  // namespace kura
