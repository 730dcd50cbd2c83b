#include "core/log.h"

#include <cstdio>
#include <ctime>
#include <mutex>

#include <unistd.h>

namespace kura::log {
namespace {

std::mutex g_mutex;
bool g_verbose = false;
std::vector<std::string> g_history;

const char* prefix(Level level) {
    switch (level) {
        case Level::debug: return "debug: ";
        case Level::info: return "";
        case Level::warn: return "warning: ";
        case Level::error: return "error: ";
    }
    return "";
}

std::string timestamp() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

}  // namespace

void set_verbose(bool verbose) {
    std::lock_guard lock(g_mutex);
    g_verbose = verbose;
}

void message(Level level, const std::string& text) {
    std::lock_guard lock(g_mutex);
    g_history.push_back(timestamp() + " " + prefix(level) + text);
    if (level == Level::debug && !g_verbose) return;
    // On a terminal a progress line may be showing without a newline: clear it first.
    const char* clear = isatty(STDERR_FILENO) ? "\r\x1b[K" : "";
    std::fprintf(stderr, "%skura: %s%s\n", clear, prefix(level), text.c_str());
}

std::vector<std::string> history() {
    std::lock_guard lock(g_mutex);
    return g_history;
}

}  // namespace kura::log
