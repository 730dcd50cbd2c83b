#include "core/timestamp.h"

#include <ctime>

namespace kura {
namespace {

std::string format(const char* pattern, bool utc) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    if (utc)
        gmtime_r(&now, &tm);
    else
        localtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, pattern, &tm);
    return buf;
}

}  // namespace

std::string utc_timestamp() { return format("%Y-%m-%dT%H:%M:%SZ", true); }
std::string local_timestamp() { return format("%Y-%m-%d %H:%M:%S %Z", false); }

}  // namespace kura
