#include "repo/remote_file.h"

#include "core/cancel.h"
#include "core/error.h"
#include "core/log.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace kura {

bool is_final_server_errno(int err) {
    switch (err) {
    case ENOSPC:
    case EDQUOT:
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOENT:
    case EEXIST:
    case EFBIG:
    case ENOTDIR:
    case EISDIR:
    case ENAMETOOLONG:
        return true;
    default:
        return false;
    }
}

namespace {

// Runs `step` (which may open a new connection) until it succeeds, sleeping with a doubling
// delay between attempts; the operator sees each attempt on stderr (and in the image log).
}  // namespace

void retry_with_reconnect(const std::string& what, const ReconnectPolicy& policy, const ConnectionLost& first,
                          const std::function<void()>& step) {
    std::string last = first.what();
    int delay = policy.first_delay_s;
    for (int attempt = 1; attempt <= policy.attempts; ++attempt) {
        log::warn(policy.server_kind + " lost (" + last + "), reconnecting (attempt " + std::to_string(attempt) +
                  "/" + std::to_string(policy.attempts) + ", next in " + std::to_string(delay) + " s)");
        for (int tenth = 0; tenth < delay * 10; ++tenth) {
            throw_if_cancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        try {
            step();
            log::info(policy.server_kind + " is back; continuing " + what);
            return;
        } catch (const ConnectionLost& again) {
            last = again.what();
        }
        delay = std::min(delay * 2, policy.max_delay_s);
    }
    throw Error(ExitCode::io_error, what + ": " + policy.server_kind + " unreachable after " +
                                        std::to_string(policy.attempts) + " reconnect attempts (" + last + ")");
}

namespace {

// Keeps every byte sent since the last commit, so after a reconnect the file is cut back to
// the committed length and the tail is sent again: the server may have lost it.
class ResumingSink : public WritableFile {
public:
    // keep_bytes < 0: a new file; otherwise an existing one cut back to that length, which
    // is then the committed length everything else builds on.
    ResumingSink(std::string what, RemoteFileOpener open, ReconnectPolicy policy, std::int64_t keep_bytes)
        : what_(std::move(what)), open_(std::move(open)), policy_(std::move(policy)) {
        // Cutting back truncates, so a retry after a lost reply is harmless. Creating is
        // exclusive: a retry may find the file the lost attempt created before its reply
        // was lost. That one is empty (nothing was written yet) and is taken; a file with
        // data in it belongs to someone else, and AlreadyExists stands.
        bool create_tried = false;
        auto first_open = [&] {
            file_.reset();
            if (keep_bytes < 0) {
                if (!create_tried) {
                    create_tried = true;
                    file_ = open_(true);
                    return;
                }
                try {
                    file_ = open_(true);
                } catch (const AlreadyExists&) {
                    file_ = open_(false);
                    char byte = 0;
                    if (file_->pread(&byte, 1, 0) != 0) throw;
                }
                return;
            }
            file_ = open_(false);
            file_->truncate(static_cast<std::uint64_t>(keep_bytes));
            file_->commit();
        };
        try {
            first_open();
        } catch (const ConnectionLost& lost) {
            retry_with_reconnect(what_, policy_, lost, first_open);
        }
        if (keep_bytes > 0) committed_ = static_cast<std::uint64_t>(keep_bytes);
        pending_.reserve(policy_.commit_interval + kSendChunk);
    }
    ~ResumingSink() override = default;

    void write(const void* data, std::size_t length) override {
        const char* p = static_cast<const char*>(data);
        pending_.insert(pending_.end(), p, p + length);
        if (pending_.size() - sent_ >= kSendChunk) guarded([&] { send_unsent(); });
        if (pending_.size() >= policy_.commit_interval) guarded([&] { commit(); });
    }

    void sync() override {
        guarded([&] { commit(); });
    }

    void close() override {
        if (!file_) return;
        guarded([&] {
            commit();
            file_->close();
        });
        file_.reset();
    }

private:
    static constexpr std::size_t kSendChunk = 4u << 20;  // big requests: libnfs pipelines them

    void send_unsent() {
        while (sent_ < pending_.size()) {
            std::size_t n = std::min(pending_.size() - sent_, kSendChunk);
            file_->pwrite(pending_.data() + sent_, n, committed_ + sent_);
            sent_ += n;
        }
    }
    void commit() {
        send_unsent();
        file_->commit();
        committed_ += pending_.size();
        pending_.clear();
        sent_ = 0;
    }
    void reopen() {
        file_.reset();
        file_ = open_(false);
        file_->truncate(committed_);
        sent_ = 0;  // everything since the last commit goes out again
    }
    template <typename Op>
    void guarded(Op op) {
        try {
            op();
        } catch (const ConnectionLost& lost) {
            retry_with_reconnect(what_, policy_, lost, [&] {
                reopen();
                op();
            });
        }
    }

    std::string what_;
    RemoteFileOpener open_;
    ReconnectPolicy policy_;
    std::unique_ptr<RemoteFile> file_;
    std::vector<char> pending_;     // bytes after committed_, the first sent_ of them already sent
    std::size_t sent_ = 0;
    std::uint64_t committed_ = 0;
};

class ResumingSource : public ByteSource {
public:
    ResumingSource(std::string what, RemoteFileOpener open, ReconnectPolicy policy)
        : what_(std::move(what)), open_(std::move(open)), policy_(std::move(policy)) {
        try {
            file_ = open_(false);
        } catch (const ConnectionLost& lost) {
            retry_with_reconnect(what_, policy_, lost, [&] { file_ = open_(false); });
        }
    }

    // Callers read in small pieces; the server is asked in big ones (one synchronous SMB
    // request per call makes small reads several times slower).
    std::size_t read(void* buffer, std::size_t length) override {
        if (next_ == buffered_.size()) {
            fill();
            if (buffered_.empty()) return 0;
        }
        std::size_t n = std::min(length, buffered_.size() - next_);
        std::memcpy(buffer, buffered_.data() + next_, n);
        next_ += n;
        return n;
    }

private:
    static constexpr std::size_t kReadChunk = 4u << 20;

    void fill() {
        buffered_.resize(kReadChunk);
        std::size_t n = 0;
        try {
            n = file_->pread(buffered_.data(), kReadChunk, offset_);
        } catch (const ConnectionLost& lost) {
            retry_with_reconnect(what_, policy_, lost, [&] {
                file_.reset();
                file_ = open_(false);
                n = file_->pread(buffered_.data(), kReadChunk, offset_);
            });
        }
        buffered_.resize(n);
        next_ = 0;
        offset_ += n;
    }

    std::string what_;
    RemoteFileOpener open_;
    ReconnectPolicy policy_;
    std::unique_ptr<RemoteFile> file_;
    std::vector<char> buffered_;
    std::size_t next_ = 0;
    std::uint64_t offset_ = 0;  // of the byte after buffered_
};

}  // namespace

std::unique_ptr<WritableFile> make_resuming_sink(std::string what, RemoteFileOpener open, ReconnectPolicy policy) {
    return std::make_unique<ResumingSink>(std::move(what), std::move(open), std::move(policy), -1);
}

std::unique_ptr<WritableFile> make_reopened_sink(std::string what, RemoteFileOpener open, ReconnectPolicy policy,
                                                 std::uint64_t keep_bytes) {
    return std::make_unique<ResumingSink>(std::move(what), std::move(open), std::move(policy),
                                          static_cast<std::int64_t>(keep_bytes));
}

std::unique_ptr<ByteSource> make_resuming_source(std::string what, RemoteFileOpener open, ReconnectPolicy policy) {
    return std::make_unique<ResumingSource>(std::move(what), std::move(open), std::move(policy));
}

}  // namespace kura
