#include "core/stage_thread.h"

#include <algorithm>
#include <cstring>

namespace kura {

ThreadedSink::ThreadedSink(ByteSink& downstream, std::size_t chunk_size, std::size_t depth)
    : downstream_(downstream), chunk_size_(chunk_size), queue_(depth) {
    current_.reserve(chunk_size_);
    thread_ = std::thread([this] { run(); });
}

ThreadedSink::~ThreadedSink() {
    if (thread_.joinable()) {
        queue_.abort();
        thread_.join();
    }
}

void ThreadedSink::run() {
    try {
        while (auto chunk = queue_.pop()) {
            downstream_.write(chunk->data(), chunk->size());
            std::lock_guard lock(progress_mutex_);
            ++written_;
            progress_cv_.notify_all();
        }
    } catch (...) {
        error_.capture(std::current_exception());
        queue_.abort();
        std::lock_guard lock(progress_mutex_);
        failed_ = true;
        progress_cv_.notify_all();
    }
}

void ThreadedSink::push_current() {
    if (current_.empty()) return;
    if (!queue_.push(std::move(current_))) error_.rethrow_if_any();
    ++pushed_;
    current_ = Buffer();
    current_.reserve(chunk_size_);
}

void ThreadedSink::flush() {
    push_current();
    {
        std::unique_lock lock(progress_mutex_);
        progress_cv_.wait(lock, [&] { return failed_ || written_ == pushed_; });
    }
    error_.rethrow_if_any();
}

void ThreadedSink::write(const void* data, std::size_t length) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    while (length > 0) {
        std::size_t room = chunk_size_ - current_.size();
        std::size_t n = length < room ? length : room;
        current_.insert(current_.end(), p, p + n);
        p += n;
        length -= n;
        if (current_.size() == chunk_size_) push_current();
    }
}

void ThreadedSink::close() {
    if (closed_) return;
    closed_ = true;
    push_current();
    queue_.close();
    thread_.join();
    error_.rethrow_if_any();
    downstream_.close();
}

ThreadedSource::ThreadedSource(ByteSource& upstream, std::size_t chunk_size, std::size_t depth)
    : upstream_(upstream), chunk_size_(chunk_size), queue_(depth) {
    thread_ = std::thread([this] { run(); });
}

ThreadedSource::~ThreadedSource() {
    queue_.abort();
    if (thread_.joinable()) thread_.join();
}

void ThreadedSource::run() {
    try {
        for (;;) {
            Buffer chunk(chunk_size_);
            std::size_t n = read_fully(upstream_, chunk.data(), chunk.size());
            chunk.resize(n);
            if (n == 0) break;
            if (!queue_.push(std::move(chunk))) return;
            if (n < chunk_size_) break;
        }
    } catch (...) {
        error_.capture(std::current_exception());
    }
    queue_.close();
}

bool ThreadedSource::next(Buffer& out) {
    if (offset_ < current_.size()) {
        out.assign(current_.begin() + static_cast<std::ptrdiff_t>(offset_), current_.end());
        current_.clear();
        offset_ = 0;
        return true;
    }
    auto chunk = queue_.pop();
    if (!chunk) {
        error_.rethrow_if_any();
        return false;
    }
    out = std::move(*chunk);
    return true;
}

std::size_t ThreadedSource::read(void* buffer, std::size_t length) {
    if (offset_ >= current_.size()) {
        current_.clear();
        offset_ = 0;
        if (!next(current_)) return 0;
    }
    std::size_t n = std::min(length, current_.size() - offset_);
    std::memcpy(buffer, current_.data() + offset_, n);
    offset_ += n;
    return n;
}

}  // namespace kura
