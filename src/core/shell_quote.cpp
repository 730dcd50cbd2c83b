#include "core/shell_quote.h"

#include <string_view>

namespace kura {
namespace {

// A whitelist rather than a list of specials: ~ # ! { [ and a newline are special only in
// some places or some shells, and missing one would change what the command does.
bool plain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-_./:,+=@%").find(c) != std::string_view::npos;
}

}  // namespace

std::string shell_quote(const std::string& word) {
    bool all_plain = !word.empty();
    for (char c : word) all_plain = all_plain && plain(c);
    if (all_plain) return word;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string shell_command_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& word : argv) line += (line.empty() ? "" : " ") + shell_quote(word);
    return line;
}

}  // namespace kura
