#include "fs/repair_failure.h"

#include "core/error.h"

namespace kura {
namespace {

// The last lines of what a tool printed: a full e2fsck transcript can run to megabytes.
std::string output_tail(const std::string& output) {
    constexpr std::size_t kMax = 1500;
    std::string tail = output.size() > kMax ? "..." + output.substr(output.size() - kMax) : output;
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
    return tail;
}

}  // namespace

std::string command_text(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s;
}

void throw_repair_failure(const std::string& label, const std::vector<std::string>& argv, const ToolResult& result,
                          const std::string& what) {
    throw Error(ExitCode::source_unsupported,
                label + ": `" + command_text(argv) + "` " + what +
                    (result.exit_status >= 0 ? " (exit " + std::to_string(result.exit_status) + ")"
                                             : " (killed by a signal)") +
                    "; it is not saved. Its output:\n" + output_tail(result.output));
}

}  // namespace kura
