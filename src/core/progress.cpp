#include "core/progress.h"

#include "core/units.h"

#include <cstdio>

#include <unistd.h>

namespace kura {

double ProgressSnapshot::percent() const {
    if (total_bytes == 0) return 0.0;
    double p = 100.0 * static_cast<double>(done_bytes) / static_cast<double>(total_bytes);
    return p > 100.0 ? 100.0 : p;
}

Progress::Progress(ProgressStyle style, std::string operation)
    : style_(style), operation_(std::move(operation)), started_(std::chrono::steady_clock::now()) {
    on_terminal_ = isatty(STDERR_FILENO) != 0;
}

Progress::~Progress() { stop(); }

void Progress::set_item(const std::string& item) {
    std::lock_guard lock(item_mutex_);
    item_ = item;
}

ProgressSnapshot Progress::snapshot() const {
    ProgressSnapshot s;
    s.operation = operation_;
    {
        std::lock_guard lock(item_mutex_);
        s.item = item_;
    }
    std::uint64_t done_here = done_.load();
    s.done_bytes = done_here + already_done_.load();
    s.total_bytes = total_.load();
    s.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (s.elapsed_s > 0) s.rate_bytes_per_s = static_cast<double>(done_here) / s.elapsed_s;
    if (s.rate_bytes_per_s > 0 && s.total_bytes >= s.done_bytes)
        s.eta_s = static_cast<double>(s.total_bytes - s.done_bytes) / s.rate_bytes_per_s;
    return s;
}

std::string Progress::render_text(const ProgressSnapshot& s) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s %s  %5.1f%%  %s/s  elapsed %s  ETA %s", s.operation.c_str(),
                  s.item.c_str(), s.percent(),
                  format_bytes(static_cast<std::uint64_t>(s.rate_bytes_per_s)).c_str(),
                  format_duration(s.elapsed_s).c_str(), format_duration(s.eta_s).c_str());
    return buf;
}

std::string Progress::render_json(const ProgressSnapshot& s) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "{\"event\":\"progress\",\"operation\":\"%s\",\"item\":\"%s\",\"done_bytes\":%llu,"
                  "\"total_bytes\":%llu,\"percent\":%.1f,\"rate_bytes_per_s\":%.0f,\"elapsed_s\":%.1f,"
                  "\"eta_s\":%.1f}",
                  s.operation.c_str(), s.item.c_str(), static_cast<unsigned long long>(s.done_bytes),
                  static_cast<unsigned long long>(s.total_bytes), s.percent(), s.rate_bytes_per_s,
                  s.elapsed_s, s.eta_s);
    return buf;
}

void Progress::render(bool final_line) {
    if (style_ == ProgressStyle::none) return;
    ProgressSnapshot s = snapshot();
    if (style_ == ProgressStyle::json) {
        std::fprintf(stderr, "%s\n", render_json(s).c_str());
    } else if (on_terminal_) {
        std::fprintf(stderr, "\r\x1b[K%s%s", render_text(s).c_str(), final_line ? "\n" : "");
    } else {
        std::fprintf(stderr, "%s\n", render_text(s).c_str());
    }
    std::fflush(stderr);
}

void Progress::start() {
    started_ = std::chrono::steady_clock::now();
    if (style_ == ProgressStyle::none || ticker_.joinable()) return;
    // A resumed job shows at once where it starts from.
    if (already_done_.load() > 0) render(false);
    stopping_ = false;
    ticker_ = std::thread([this] { tick_loop(); });
}

void Progress::tick_loop() {
    // A terminal gets a lively line; a log file or pipe one line every few seconds.
    auto period = on_terminal_ && style_ == ProgressStyle::text ? std::chrono::milliseconds(500)
                                                                 : std::chrono::milliseconds(2000);
    std::unique_lock lock(stop_mutex_);
    while (!stop_cv_.wait_for(lock, period, [&] { return stopping_; })) {
        lock.unlock();
        render(false);
        lock.lock();
    }
}

void Progress::stop() {
    if (!ticker_.joinable()) return;
    {
        std::lock_guard lock(stop_mutex_);
        stopping_ = true;
    }
    stop_cv_.notify_all();
    ticker_.join();
    render(true);
}

}  // namespace kura
