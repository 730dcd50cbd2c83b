#include "core/job_log.h"

#include "core/log.h"

namespace kura {

JobLog::JobLog() { log::attach(this); }

JobLog::~JobLog() { log::detach(this); }

std::vector<std::string> JobLog::lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

void JobLog::append(const std::string& line) {
    std::lock_guard lock(mutex_);
    lines_.push_back(line);
}

}  // namespace kura
