#include "core/log.h"

#include "core/job_log.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <unistd.h>

namespace kura::log {
namespace {

std::mutex g_mutex;
bool g_verbose = false;
std::vector<JobLog*> g_job_logs;

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
    const std::string line = timestamp() + " " + prefix(level) + text;
    for (JobLog* job_log : g_job_logs) job_log->append(line);
    if (level == Level::debug && !g_verbose) return;
    // On a terminal a progress line may be showing without a newline: clear it first.
    const char* clear = isatty(STDERR_FILENO) ? "\r\x1b[K" : "";
    std::fprintf(stderr, "%skura: %s%s\n", clear, prefix(level), text.c_str());
}

void attach(JobLog* job_log) {
    std::lock_guard lock(g_mutex);
    g_job_logs.push_back(job_log);
}

void detach(JobLog* job_log) {
    std::lock_guard lock(g_mutex);
    g_job_logs.erase(std::remove(g_job_logs.begin(), g_job_logs.end(), job_log), g_job_logs.end());
}

}  // namespace kura::log
