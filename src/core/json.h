// JSON string literals for the machine-readable outputs (--json, list-disks, progress).
#pragma once

#include <string>

namespace kura {

// `s` quoted and escaped as a JSON string literal.
std::string json_string(const std::string& s);

}  // namespace kura
