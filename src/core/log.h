// A small process-wide log: messages for the operator go to stderr, and every line also
// goes to the JobLogs that are collecting (core/job_log.h), so it can be written beside
// the image of the job that logged it (Clonezilla keeps its log there too).
#pragma once

#include <string>
#include <vector>

namespace kura {
class JobLog;
}

namespace kura::log {

enum class Level { debug, info, warn, error };

void set_verbose(bool verbose);
void message(Level level, const std::string& text);
inline void info(const std::string& text) { message(Level::info, text); }
inline void warn(const std::string& text) { message(Level::warn, text); }
inline void debug(const std::string& text) { message(Level::debug, text); }

// A JobLog starts and stops receiving every line (JobLog's constructor and destructor).
void attach(JobLog* job_log);
void detach(JobLog* job_log);

}  // namespace kura::log
