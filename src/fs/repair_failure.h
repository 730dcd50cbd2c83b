// What the filesystems' --fsck hooks (FilesystemReader::judge_repair) share: a command as
// the operator would type it, and the one refusal a repair that left errors ends in.
#pragma once

#include "core/run_tool.h"

#include <string>
#include <vector>

namespace kura {

// "e2fsck -f -y /dev/sdb1": for log lines, plan notes and messages.
std::string command_text(const std::vector<std::string>& argv);

// Throws Error(source_unsupported): "LABEL: `COMMAND` WHAT (exit N); it is not saved. Its
// output:" and the last lines the tool printed, enough to say what it could not fix.
[[noreturn]] void throw_repair_failure(const std::string& label, const std::vector<std::string>& argv,
                                       const ToolResult& result, const std::string& what);

}  // namespace kura
