// One progress object per operation: every pipeline stage adds bytes to it and a ticker
// thread renders percent, rate, elapsed time and ETA on stderr (a line for people, or
// JSON lines for machines), and hands the same numbers to the job's ProgressSink (the
// text menu draws its progress screen from it), so every front reads the same figures.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
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
    // The same for `item` alone: done restarts at 0 with each item; total is 0 when the
    // caller did not know it (a dd stream being restored says its length only at its end).
    std::uint64_t item_done_bytes = 0;
    std::uint64_t item_total_bytes = 0;
    double elapsed_s = 0;
    double rate_bytes_per_s = 0;
    double eta_s = -1;  // negative while unknown
    double percent() const;
    double item_percent() const;  // 0 while the item's total is unknown
};

// Where one job's snapshots go (JobContext::progress): called at every tick and once more
// when a Progress stops, from the ticker thread; it must be cheap and must not throw.
using ProgressSink = std::function<void(const ProgressSnapshot&)>;

class Progress {
public:
    // `sink` (the job's, JobContext::progress) gets every snapshot, whatever the style.
    Progress(ProgressStyle style, std::string operation, ProgressSink sink = {});
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void set_total(std::uint64_t bytes) { total_.store(bytes); }
    // Starts a new item (a partition): its done count restarts at 0; `item_total_bytes`
    // is what add() will count for it (its used bytes), 0 when not known.
    void set_item(const std::string& item, std::uint64_t item_total_bytes = 0);
    // Counts into the whole and into the current item.
    void add(std::uint64_t bytes) {
        done_.fetch_add(bytes, std::memory_order_relaxed);
        item_done_.fetch_add(bytes, std::memory_order_relaxed);
    }
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
    ProgressSink sink_;
    std::atomic<std::uint64_t> done_{0}, total_{0}, already_done_{0};
    std::atomic<std::uint64_t> item_done_{0}, item_total_{0};
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
