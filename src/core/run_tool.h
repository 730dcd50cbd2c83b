// Runs one of the system tools kura relies on for work it does not do itself (mkswap,
// e2fsck, resize2fs), without a shell, collecting what it prints for the error message.
#pragma once

#include "core/error.h"

#include <string>
#include <vector>

namespace kura {

struct ToolResult {
    int exit_status = -1;   // the exit code, or -1 when it died from a signal
    std::string output;     // stdout and stderr together
};

// Throws Error(`code`) only when the tool cannot be started (not installed). Its standard
// input is `input_path` (loadkmap reads the keymap there), /dev/null by default.
ToolResult run_tool(const std::vector<std::string>& argv, ExitCode code = ExitCode::io_error,
                    const std::string& input_path = "/dev/null");

// Runs it and throws Error(`code`) with its output unless it exits with 0 (or with one of
// `accepted`, for tools like e2fsck whose 1 means "fixed").
void run_tool_checked(const std::vector<std::string>& argv, ExitCode code = ExitCode::io_error,
                      const std::vector<int>& accepted = {0});

}  // namespace kura
