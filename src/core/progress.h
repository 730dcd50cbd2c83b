// One progress object per operation: every pipeline stage adds bytes to it and a ticker
// thread renders percent, rate, elapsed time and ETA on stderr (a line for people, or
// JSON lines for machines), so the CLI and later the TUI read the same numbers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace kura {

enum class ProgressStyle { text, json, none };

struct ProgressSnapshot {
    std::string operation;  // "save", "restore", "check"
    std::string item;       // the partition being worked on
    std::uint64_t done_bytes = 0;
    std::uint64_t total_bytes = 0;
    std::uint64_t item_done_bytes = 0;   // of the current item (partition)
    std::uint64_t item_total_bytes = 0;
    double elapsed_s = 0;
    double rate_bytes_per_s = 0;
    double eta_s = -1;  // negative while unknown
    double percent() const;
};

class Progress {
public:
    Progress(ProgressStyle style, std::string operation);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void set_total(std::uint64_t bytes) { total_.store(bytes); }
    void set_item(const std::string& item);
    void add(std::uint64_t bytes) { done_.fetch_add(bytes, std::memory_order_relaxed); }
    // Bytes an earlier run already did (a resumed save): counted as done, so the line
    // starts where that run stopped, but not in the rate or the ETA of this run.
    void add_already_done(std::uint64_t bytes) { already_done_.fetch_add(bytes, std::memory_order_relaxed); }

    ProgressSnapshot snapshot() const;

    // Starts and stops the ticker; stop() renders a final line.
    void start();
    void stop();

    static std::string render_text(const ProgressSnapshot& s);
    static std::string render_json(const ProgressSnapshot& s);

private:
    void tick_loop();
    void render(bool final_line);

    ProgressStyle style_;
    std::string operation_;
    std::atomic<std::uint64_t> done_{0}, total_{0}, already_done_{0};
    mutable std::mutex item_mutex_;
    std::string item_;
    std::chrono::steady_clock::time_point started_;
    std::thread ticker_;
    std::mutex stop_mutex_;
    std::condition_variable stop_cv_;
    bool stopping_ = false;
    bool on_terminal_ = false;
};

}  // namespace kura
