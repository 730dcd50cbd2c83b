// A disk as a savedisk image describes it - kura's or Clonezilla's: the `disk` file's
// names, each one's table from `<disk>-pt.sf` with its size from `<disk>-pt.parted`, its
// boot code (`-mbr`), the gap after the MBR or after GPT's entries, its swap partitions'
// UUID and label (`swappt-*.info`), and kura's record of the disk it came from.
#pragma once

#include "fs/probe.h"
#include "image/manifest.h"
#include "ptable/partition_table.h"
#include "repo/repository.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kura {

struct SavedDisk {
    std::string name;                      // sda
    bool whole_disk = false;               // a filesystem without a table, imaged as `name`
    PartitionTable table;                  // kind none for a whole-disk filesystem
    std::vector<std::uint8_t> mbr;         // the first 512 bytes, if saved
    std::vector<std::uint8_t> gap;         // post-MBR or post-GPT-entries data, if saved
    std::uint64_t gap_start_sector = 1;
    std::map<int, ProbeResult> swaps;      // partition number -> UUID and label
    std::optional<ManifestDisk> recorded;  // kura images only
    std::uint64_t bytes = 0;               // the source disk's size, when known
};

// Throws Error(image_corrupt) naming the file that is missing or unreadable, and
// Error(usage) for an image without a `disk` file (saved with saveparts).
std::vector<SavedDisk> read_saved_disks(const Repository& repo, const std::string& image,
                                        const std::vector<std::string>& parts, const std::optional<Manifest>& manifest);

}  // namespace kura
