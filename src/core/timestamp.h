// Wall-clock time stamps for manifests and logs.
#pragma once

#include <string>

namespace kura {

std::string utc_timestamp();    // 2026-11-25T05:40:00Z
std::string local_timestamp();  // 2026-11-25 14:40:00 JST, as Clonezilla's log shows it

}  // namespace kura
