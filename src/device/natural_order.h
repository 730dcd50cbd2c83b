// Kernel names in the order people expect: runs of digits compare as numbers, so loop2
// comes before loop10 and nvme2n1 before nvme10n1.
#pragma once

#include <string>

namespace kura {

bool natural_less(const std::string& a, const std::string& b);

}  // namespace kura
