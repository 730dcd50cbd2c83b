// LVM2 as it is on disk: the physical-volume label, the metadata area holding the volume
// group's text, and the volume group that text describes. Read from the PVs' bytes alone,
// without lvm2's tools and without activating anything, so that reading a source never
// changes it and works where the kernel has no device-mapper (the test machines).
// Everything read here is hostile input: from a disk being saved or from an image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kura {

class Device;

// The label pvcreate writes in one of the first four sectors (normally sector 1).
struct LvmLabel {
    std::string pv_uuid;            // hyphenated as the metadata writes it: xDz5dD-IHte-...
    std::uint64_t device_size = 0;  // bytes, as pvcreate recorded it
    std::uint64_t pe_start = 0;     // bytes: where the first physical extent begins
    struct Area {
        std::uint64_t offset = 0;  // bytes from the PV's start
        std::uint64_t size = 0;    // bytes; 0 for the data area means "to the end"
    };
    std::vector<Area> metadata_areas;  // 0, 1 or 2
};

// nullopt when the device carries no LVM2 label; throws Error(source_unsupported) naming
// `label` and the damage when a label is there but fails its checks (CRC, offsets).
std::optional<LvmLabel> read_lvm_label(const Device& device, const std::string& label);
// The same for a PV that is the `size` bytes at `base` of `device` (a partition inside a
// disk image file): every offset is then relative to `base` and bounded by `size`.
std::optional<LvmLabel> read_lvm_label(const Device& device, std::uint64_t base, std::uint64_t size,
                                       const std::string& label);

// The committed metadata text of the newest good copy among the PV's metadata areas
// (circular-buffer wrap handled, CRC checked). Empty when the PV has no metadata area.
// Throws Error(source_unsupported) naming `label` when every copy is damaged.
std::string read_lvm_metadata_text(const Device& device, const LvmLabel& pv_label, const std::string& label);
std::string read_lvm_metadata_text(const Device& device, std::uint64_t base, std::uint64_t size,
                                   const LvmLabel& pv_label, const std::string& label);

// The largest metadata text kura accepts (lvm2's default area is 1 MiB; text beyond this
// is hostile, not a VG).
inline constexpr std::size_t lvm_metadata_text_limit = 16u << 20;

// A segment's area: `pv` (pv0, pv1 ...: the name inside this VG's metadata) and the first
// physical extent on it. `lv` is set instead of `pv` when the area is another LV.
struct LvmArea {
    std::string pv;
    std::string lv;
    std::uint64_t first_extent = 0;
};

struct LvmSegment {
    std::uint64_t start_extent = 0;  // in the LV
    std::uint64_t extent_count = 0;
    std::string type;                // "striped" (linear is striped with one stripe), "thin-pool", "raid1", ...
    std::uint32_t stripe_count = 0;
    std::uint64_t stripe_size = 0;   // sectors of 512 bytes
    std::vector<LvmArea> areas;      // the `stripes` list; empty for types that have none
};

struct LvmLogicalVolume {
    std::string name;
    std::string id;
    std::vector<std::string> status;  // READ, WRITE, VISIBLE ...
    std::vector<LvmSegment> segments; // in LV order, contiguous from extent 0

    bool visible() const;
    std::uint64_t extent_count() const;
};

struct LvmPhysicalVolume {
    std::string name;         // pv0
    std::string id;           // hyphenated UUID
    std::string device_hint;  // "/dev/sda2" as lvm last saw it: a hint only
    std::uint64_t dev_size = 0;  // sectors
    std::uint64_t pe_start = 0;  // sectors
    std::uint64_t pe_count = 0;
};

struct LvmVolumeGroup {
    std::string name;
    std::string id;
    std::uint64_t seqno = 0;
    std::uint64_t extent_size = 0;  // sectors of 512 bytes
    std::vector<LvmPhysicalVolume> pvs;
    std::vector<LvmLogicalVolume> lvs;
    std::string text;  // the metadata text this was parsed from, verbatim

    const LvmPhysicalVolume* pv_named(const std::string& name) const;
    const LvmPhysicalVolume* pv_with_id(const std::string& id) const;
    const LvmLogicalVolume* lv_named(const std::string& name) const;
    std::uint64_t extent_bytes() const { return extent_size * 512; }
};

// Parses metadata text as it is in a metadata area or in a vgcfgbackup file (lvm2's
// config syntax: one VG section plus header keys). Strict: size, nesting and every number
// are bounded, every segment's areas lie inside their PV, segments tile the LV. Throws
// Error(`code`) naming `label` and what is wrong: source_unsupported for a disk being
// saved, image_corrupt for a file in an image.
LvmVolumeGroup parse_lvm_metadata(const std::string& text, const std::string& label, int code);

}  // namespace kura
