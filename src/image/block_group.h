// What every stream decoder hands to the restore: used blocks laid end to end, with the
// runs that say where each stretch belongs on the target.
#pragma once

#include <cstdint>
#include <vector>

namespace kura {

struct BlockRun {
    std::uint64_t first_block = 0;
    std::uint64_t count = 0;
};

// Used blocks laid end to end in `data`; `runs` says where each stretch belongs.
struct BlockGroup {
    std::vector<std::uint8_t> data;
    std::vector<BlockRun> runs;
    bool verified = true;  // false only for checksum-less streams or absurdly long groups
};

}  // namespace kura
