// What an image needs of its restore targets, measured the way restoredisk and
// restoreparts check targets before writing: per saved disk, the smallest disk that still
// takes every partition where the saved table puts it (ptable's min_target_sectors, the
// inverse of fit_table); per saved partition, the smallest partition its filesystem fits.
// The menu shows these and greys out disks that are too small, instead of letting the
// operator pick one the plan would refuse.
#pragma once

#include "image/manifest.h"
#include "ops/opened_image.h"
#include "storage/repository.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kura {

struct TargetNeed {
    std::string name;                // sda (a disk), or sda1 (a partition)
    std::string fs_type;             // partitions: the stream's filesystem ("ext4", "dd")
    std::uint64_t min_bytes = 0;     // the target must have at least this many bytes
    std::uint64_t source_bytes = 0;  // what the saved disk or partition had; 0 when unknown
    std::string source;              // disks of kura images: "QEMU HARDDISK, wwid:..." (model, identity)
    std::string source_identity;     // disks of kura images: the saved disk's identity ("wwid:...")
};

// The bytes a partition's stream needs on its target: the filesystem's size from its
// header, or for a dd stream (whose header does not say) the size kura's manifest
// recorded, else `saved_partition_bytes`.
std::uint64_t partition_needed_bytes(const ImagePart& part, const std::optional<Manifest>& manifest,
                                     std::uint64_t saved_partition_bytes);
// The bytes a restore of the partition writes: its used blocks, or the whole saved copy for
// a dd stream (whose header counts none), sized as partition_needed_bytes sizes it.
std::uint64_t partition_data_bytes(const ImagePart& part, const std::optional<Manifest>& manifest,
                                   std::uint64_t saved_partition_bytes);


// One per disk of a savedisk image, in the order of its `disk` file (Error(usage) for an
// image saved with saveparts).
std::vector<TargetNeed> disk_target_needs(const OpenedImage& image);
// One per partition of an image, in the order of its `parts` file.
std::vector<TargetNeed> partition_target_needs(const OpenedImage& image);

}  // namespace kura
