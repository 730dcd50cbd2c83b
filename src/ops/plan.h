// A Plan is data: what an operation will read and write, shown to the operator (and by
// --dry-run) before anything is written. The CLI and the TUI both render it.
#pragma once

#include "core/message.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

struct PlanItem {
    std::string name;         // partition name in the image
    std::string device;       // source (save) or target (restore)
    std::string fs_type;
    std::uint64_t device_bytes = 0;  // size of the filesystem / partition
    std::uint64_t used_bytes = 0;
    int depth = 0;  // 1: shown under the row before it (an LV under its PV partition)
};

struct Plan {
    std::string mode;   // saveparts, restoreparts, checkimage
    std::string repo;
    std::string image;
    std::vector<PlanItem> items;
    std::vector<Message> warnings;  // most are plain English; some carry an id the menu translates

    std::uint64_t total_used_bytes() const;
    std::string describe() const;  // several lines for people
};

}  // namespace kura
