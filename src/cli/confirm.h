// Clonezilla's confirmation: "Are you sure you want to continue? (y/n)", asked twice
// before a restore overwrites anything. Without a terminal there is nobody to ask, so the
// answer is no (unattended runs pass --yes).
#pragma once

#include <string>

namespace kura::cli {

// Returns true only if the operator answered yes to every question.
bool confirm_on_terminal(int times);

}  // namespace kura::cli
