// A small process-wide log: messages for the operator go to stderr, and every line is
// also kept so it can be written beside the image (Clonezilla keeps its log there too).
#pragma once

#include <string>
#include <vector>

namespace kura::log {

enum class Level { debug, info, warn, error };

void set_verbose(bool verbose);
void message(Level level, const std::string& text);
inline void info(const std::string& text) { message(Level::info, text); }
inline void warn(const std::string& text) { message(Level::warn, text); }
inline void debug(const std::string& text) { message(Level::debug, text); }

// Every line logged so far, with timestamps, for the image's log file.
std::vector<std::string> history();

}  // namespace kura::log
