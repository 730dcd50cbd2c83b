// The free space of one XFS allocation group, as partclone.xfs reads it: the leaf records
// of the by-block-number B+tree (bnobt) plus the blocks parked on the AG free list (AGFL).
// Every number is checked against the AG before it is followed (roots and child pointers
// inside the AG, levels falling by one, record counts that fit a block, no block visited
// twice, extents sorted and inside the AG), v5 CRCs and owners are verified, and the
// by-size B+tree (cntbt) must list exactly the same extents. Any contradiction throws
// InconsistentFilesystem naming the AG and the structure.
#pragma once

#include "fs/xfs_layout.h"

#include <cstdint>
#include <vector>

namespace kura {
class Device;
}

namespace kura::xfs {

struct Extent {
    std::uint64_t start = 0;   // block counted from the filesystem's start
    std::uint64_t length = 0;
};

// The AG's free blocks: bnobt extents and AGFL blocks, sorted, not overlapping.
std::vector<Extent> read_ag_free_space(const Device& device, const Superblock& sb, std::uint32_t agno);

}  // namespace kura::xfs
