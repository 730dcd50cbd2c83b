// What NFS and SMB have in common: a file on a server that can vanish mid-transfer. The
// backends provide open/pread/pwrite/commit on one connection; this file turns them into a
// ByteSink/ByteSource that reconnects with bounded retries and continues where the server
// last made the data durable, instead of failing the whole save or restore.
#pragma once

#include "core/byte_stream.h"
#include "storage/repository.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace kura {

// Thrown by a backend when the connection (not the request) failed: worth reconnecting.
class ConnectionLost : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// True for errno values that mean "the server said no" (space, permission, missing file):
// reconnecting would only repeat the answer. Everything else is treated as a lost link.
bool is_final_server_errno(int err);

// One open file over one connection. Every call throws ConnectionLost or kura::Error.
class RemoteFile {
public:
    virtual ~RemoteFile() = default;
    virtual void pwrite(const void* data, std::size_t length, std::uint64_t offset) = 0;
    virtual std::size_t pread(void* buffer, std::size_t length, std::uint64_t offset) = 0;
    virtual void truncate(std::uint64_t size) = 0;
    // Makes everything written so far durable on the server (NFS COMMIT).
    virtual void commit() = 0;
    virtual void close() = 0;
};

// Opens the file on a fresh connection: `create` for the first open of a new file, false
// to reopen it (keeping its bytes) after a reconnect.
using RemoteFileOpener = std::function<std::unique_ptr<RemoteFile>(bool create)>;

struct ReconnectPolicy {
    std::string server_kind = "server";  // "NFS server", "SMB server": for the message
    int attempts = 8;
    int first_delay_s = 1;                // doubles up to max_delay_s
    int max_delay_s = 8;
    std::uint64_t commit_interval = 64ull << 20;  // bytes kept for replay between commits
};

// Runs `step` again (it reconnects first) until it succeeds or the policy's attempts run
// out, telling the operator about each attempt; `first` is the failure that started it.
void retry_with_reconnect(const std::string& what, const ReconnectPolicy& policy, const ConnectionLost& first,
                          const std::function<void()>& step);

// `what` names the file in messages and must not contain credentials.
std::unique_ptr<WritableFile> make_resuming_sink(std::string what, RemoteFileOpener open, ReconnectPolicy policy);
// The same for an existing file that is first cut back to `keep_bytes` (a resumed save):
// those bytes count as committed, so a reconnect replays only what came after them.
std::unique_ptr<WritableFile> make_reopened_sink(std::string what, RemoteFileOpener open, ReconnectPolicy policy,
                                                 std::uint64_t keep_bytes);
std::unique_ptr<ByteSource> make_resuming_source(std::string what, RemoteFileOpener open, ReconnectPolicy policy);

}  // namespace kura
