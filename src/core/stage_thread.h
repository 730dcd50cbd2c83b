// Moves one side of a ByteSink/ByteSource onto its own thread with a bounded queue of large
// buffers between, so reading, (de)compressing and writing overlap. A failure on the thread
// is carried back and rethrown on the caller's side with its original message.
#pragma once

#include "core/bounded_queue.h"
#include "core/byte_stream.h"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace kura {

using Buffer = std::vector<std::uint8_t>;

// Remembers the first failure among cooperating threads.
class FirstError {
public:
    void capture(std::exception_ptr e) {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = e;
    }
    void rethrow_if_any() {
        std::lock_guard lock(mutex_);
        if (error_) std::rethrow_exception(error_);
    }
    bool has_error() {
        std::lock_guard lock(mutex_);
        return static_cast<bool>(error_);
    }

private:
    std::mutex mutex_;
    std::exception_ptr error_;
};

// write() fills buffers of `chunk_size` bytes; a thread writes them to `downstream`.
class ThreadedSink : public ByteSink {
public:
    ThreadedSink(ByteSink& downstream, std::size_t chunk_size, std::size_t depth);
    ~ThreadedSink() override;
    void write(const void* data, std::size_t length) override;
    void close() override;  // drains, closes downstream, rethrows a failure of the thread
    // Waits until everything written so far has been written to `downstream` (not closed):
    // a checkpoint needs the bytes out of memory before it can make them durable.
    void flush();

private:
    void run();
    void push_current();
    ByteSink& downstream_;
    std::size_t chunk_size_;
    BoundedQueue<Buffer> queue_;
    Buffer current_;
    FirstError error_;
    std::thread thread_;
    bool closed_ = false;
    // Chunks handed to the thread and chunks it has finished writing, for flush().
    std::uint64_t pushed_ = 0;
    std::uint64_t written_ = 0;
    bool failed_ = false;
    std::mutex progress_mutex_;
    std::condition_variable progress_cv_;
};

// A thread reads `upstream` ahead in buffers of `chunk_size` bytes.
class ThreadedSource : public ByteSource {
public:
    ThreadedSource(ByteSource& upstream, std::size_t chunk_size, std::size_t depth);
    ~ThreadedSource() override;
    std::size_t read(void* buffer, std::size_t length) override;
    // Zero-copy alternative to read(): the next whole buffer, or false at the end.
    bool next(Buffer& out);

private:
    void run();
    ByteSource& upstream_;
    std::size_t chunk_size_;
    BoundedQueue<Buffer> queue_;
    Buffer current_;
    std::size_t offset_ = 0;
    FirstError error_;
    std::thread thread_;
};

}  // namespace kura
