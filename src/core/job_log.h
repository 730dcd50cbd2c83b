// The lines one job logged, kept for the log file written beside its image (Clonezilla's
// `clonezilla-img`). While a JobLog exists it receives every line log::message() prints;
// it forgets nothing of its own job and sees nothing of the jobs before it, so the second
// save of a kura-menu session carries only its own lines.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace kura {

class JobLog {
public:
    JobLog();   // starts collecting
    ~JobLog();  // stops
    JobLog(const JobLog&) = delete;
    JobLog& operator=(const JobLog&) = delete;

    // Every line logged since this JobLog was made, with its timestamp.
    std::vector<std::string> lines() const;

    // Called by log::message for each line (under its lock).
    void append(const std::string& line);

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

}  // namespace kura
