#include "core/progress.h"

#include "core/units.h"

#include <cstdio>

#include <unistd.h>

namespace kura {
namespace {

double capped_percent(std::uint64_t done, std::uint64_t total) {
    if (total == 0) return 0.0;
    double p = 100.0 * static_cast<double>(done) / static_cast<double>(total);
    return p > 100.0 ? 100.0 : p;
}

}  // namespace

double ProgressSnapshot::percent() const { return capped_percent(done_bytes, total_bytes); }
double ProgressSnapshot::item_percent() const { return capped_percent(item_done_bytes, item_total_bytes); }

Progress::Progress(ProgressStyle style, std::string operation, ProgressSink sink)
    : style_(style), operation_(std::move(operation)), sink_(std::move(sink)), started_(std::chrono::steady_clock::now()) {
    on_terminal_ = isatty(STDERR_FILENO) != 0;
}

Progress::~Progress() { stop(); }

void Progress::set_item(const std::string& item, std::uint64_t item_total_bytes) {
    std::lock_guard lock(item_mutex_);
    item_ = item;
    item_done_.store(0);
    item_total_.store(item_total_bytes);
}

ProgressSnapshot Progress::snapshot() const {
    ProgressSnapshot s;
    s.operation = operation_;
    {
        std::lock_guard lock(item_mutex_);
        s.item = item_;
        s.item_done_bytes = item_done_.load();
        s.item_total_bytes = item_total_.load();
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
                  "\"total_bytes\":%llu,\"percent\":%.1f,\"item_done_bytes\":%llu,\"item_total_bytes\":%llu,"
                  "\"rate_bytes_per_s\":%.0f,\"elapsed_s\":%.1f,\"eta_s\":%.1f}",
                  s.operation.c_str(), s.item.c_str(), static_cast<unsigned long long>(s.done_bytes),
                  static_cast<unsigned long long>(s.total_bytes), s.percent(),
                  static_cast<unsigned long long>(s.item_done_bytes),
                  static_cast<unsigned long long>(s.item_total_bytes), s.rate_bytes_per_s, s.elapsed_s, s.eta_s);
    return buf;
}

void Progress::render(bool final_line) {
    ProgressSnapshot s = snapshot();
    if (sink_) sink_(s);
    if (style_ == ProgressStyle::none) return;
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
    if ((style_ == ProgressStyle::none && !sink_) || ticker_.joinable()) return;
    // A resumed job shows at once where it starts from.
    if (already_done_.load() > 0) render(false);
    stopping_ = false;
    ticker_ = std::thread([this] { tick_loop(); });
}

void Progress::tick_loop() {
    // A terminal (or the menu's sink) gets a lively line; a log file or pipe one line
    // every few seconds.
    bool lively = (on_terminal_ && style_ == ProgressStyle::text) || sink_;
    auto period = lively ? std::chrono::milliseconds(500) : std::chrono::milliseconds(2000);
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
