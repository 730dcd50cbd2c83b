#include "ops/plan.h"

#include "core/units.h"

#include <algorithm>
#include <cstdio>

namespace kura {

std::uint64_t Plan::total_used_bytes() const {
    std::uint64_t n = 0;
    for (const auto& i : items) n += i.used_bytes;
    return n;
}

std::string Plan::describe() const {
    std::string s;
    bool restore = mode.rfind("restore", 0) == 0;
    s += mode + ": image " + image + " in " + repo + "\n";
    for (const auto& i : items) {
        char line[512];
        const std::string name = std::string(2 * static_cast<std::size_t>(std::max(i.depth, 0)), ' ') + i.name;
        std::snprintf(line, sizeof line, "  %-14s %s %-22s %-6s %10s, %10s used\n", name.c_str(),
                      restore ? "->" : "<-", i.device.c_str(), i.fs_type.c_str(),
                      format_bytes(i.device_bytes).c_str(), format_bytes(i.used_bytes).c_str());
        s += line;
    }
    for (const auto& w : warnings) s += "  warning: " + w.text + "\n";
    return s;
}

}  // namespace kura
