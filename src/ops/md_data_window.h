// The read-only loop window onto a RAID1 member's data (its data offset, the array's size):
// how both a save (ops/md_sources.cpp) and the disk lists (ops/md_listing.cpp) read an
// array's filesystem without assembling it.
#pragma once

#include "device/loop_window.h"
#include "volume/md_array.h"

#include <cstdint>
#include <memory>
#include <string>

namespace kura {

// `disk_path` is the disk holding the member, `partition_start` the member partition's
// first byte in it and `partition_path` its device node. A disk that is an image file has
// no partition nodes, so the window is attached to the file at the partition's offset
// plus the data offset; otherwise to the partition's own node.
std::unique_ptr<LoopWindow> open_md_data_window(const std::string& disk_path, std::uint64_t partition_start,
                                                const std::string& partition_path, const MdDataWindow& window);

}  // namespace kura
