// Options shared by several verbs and their meaning, in one place.
#pragma once

#include "cli/args.h"
#include "core/json.h"
#include "core/progress.h"

#include <string>
#include <vector>

namespace kura::cli {

inline constexpr const char* kDefaultRepo = "/home/partimag";  // Clonezilla's

std::vector<OptionSpec> common_option_specs();
std::string repo_option(const Args& args);
ProgressStyle progress_option(const Args& args);

}  // namespace kura::cli
