#include "repo/nfs_repository.h"

#include "core/error.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

#include <nfsc/libnfs.h>

namespace kura {

// One libnfs context with the export mounted. libnfs contexts are not thread-safe, so every
// open file gets its own connection and the repository's metadata calls share one under a lock.
class NfsConnection {
public:
    NfsConnection(const std::string& libnfs_url, const std::string& export_path) {
        // A server that dies mid-write would otherwise kill us with SIGPIPE.
        std::signal(SIGPIPE, SIG_IGN);
        ctx_ = nfs_init_context();
        if (!ctx_) throw Error(ExitCode::internal, "libnfs: cannot create a context");
        nfs_set_timeout(ctx_, 15000);
        nfs_set_autoreconnect(ctx_, 0);  // kura reconnects itself, so it can replay and report
        nfs_url* url = nfs_parse_url_dir(ctx_, libnfs_url.c_str());
        if (!url) {
            std::string why = nfs_get_error(ctx_);
            nfs_destroy_context(ctx_);
            throw Error(ExitCode::usage, "--repo: not a valid nfs:// URL (" + why + ")");
        }
        int rc = nfs_mount(ctx_, url->server, export_path.c_str());
        nfs_destroy_url(url);
        if (rc != 0) {
            std::string why = nfs_get_error(ctx_);
            nfs_destroy_context(ctx_);
            ctx_ = nullptr;
            throw ConnectionLost(why);
        }
    }
    ~NfsConnection() {
        // After a lost connection libnfs 4.0 may still hold RPCs whose completion data lives
        // in the stack frame of a synchronous call that already returned; destroying the
        // context completes them into that stale frame (a crash seen when the server was
        // killed mid-restore). Such a context is left alone: a few KiB per reconnect, at
        // most the retry limit per file.
        if (ctx_ && !lost_) nfs_destroy_context(ctx_);
    }
    bool lost() const { return lost_; }
    NfsConnection(const NfsConnection&) = delete;
    NfsConnection& operator=(const NfsConnection&) = delete;

    nfs_context* ctx() { return ctx_; }

    // Turns a negative libnfs result into the right exception: a refusal the server decided
    // becomes an Error naming it, anything else a lost connection worth retrying.
    void check(int rc, const std::string& what) {
        if (rc >= 0) return;
        int err = -rc;
        std::string detail = nfs_get_error(ctx_);
        if (!is_final_server_errno(err)) {
            lost_ = true;
            throw ConnectionLost(what + ": " + detail);
        }
        if (err == EEXIST) throw AlreadyExists(what + ": it exists");
        if (err == ENOSPC)
            throw Error(ExitCode::io_error, what + ": the repository is full (no space left on the NFS export)");
        if (err == EDQUOT)
            throw Error(ExitCode::io_error,
                        what + ": the repository is full (the disk quota on the NFS server is used up)");
        if (err == EACCES || err == EPERM)
            throw Error(ExitCode::io_error, what + ": permission denied by the NFS server (" + detail +
                                                "; root is usually squashed: try ?uid=N&gid=N)");
        throw Error(err == ENOENT ? ExitCode::image_not_found : ExitCode::io_error, errno_text(what, err));
    }

private:
    nfs_context* ctx_ = nullptr;
    bool lost_ = false;
};

namespace {

class NfsFile : public RemoteFile {
public:
    // `path` is the file's path in the export, `what` its URL for messages.
    NfsFile(std::unique_ptr<NfsConnection> connection, std::string path, std::string what, bool create,
            bool for_write)
        : connection_(std::move(connection)), path_(std::move(path)), what_(std::move(what)) {
        nfs_context* ctx = connection_->ctx();
        // GUARDED CREATE (libnfs maps O_EXCL to it): the server refuses an existing name,
        // and sets the owner-only mode with the creation itself.
        int rc = create ? nfs_create(ctx, path_.c_str(), O_WRONLY | O_EXCL, 0600, &fh_)
                        : nfs_open(ctx, path_.c_str(), for_write ? O_WRONLY : O_RDONLY, &fh_);
        connection_->check(rc, (create ? "cannot create " : "cannot open ") + what_);
    }
    ~NfsFile() override {
        if (fh_ && !connection_->lost()) nfs_close(connection_->ctx(), fh_);
    }
    void pwrite(const void* data, std::size_t length, std::uint64_t offset) override {
        const char* p = static_cast<const char*>(data);
        while (length > 0) {
            // libnfs 4.0 argument order: offset, count, buffer.
            std::size_t chunk = std::min(length, max_request(nfs_get_writemax));
            int n = nfs_pwrite(connection_->ctx(), fh_, offset, chunk, const_cast<char*>(p));
            if (n == -EFAULT) n = -why_write_failed(chunk);
            connection_->check(n, what_ + ": write failed");
            if (n == 0) throw ConnectionLost(what_ + ": the server accepted no bytes");
            p += n;
            offset += static_cast<std::uint64_t>(n);
            length -= static_cast<std::size_t>(n);
        }
    }
    std::size_t pread(void* buffer, std::size_t length, std::uint64_t offset) override {
        int n = nfs_pread(connection_->ctx(), fh_, offset, std::min(length, max_request(nfs_get_readmax)), buffer);
        connection_->check(n, what_ + ": read failed");
        return static_cast<std::size_t>(n);
    }
    void truncate(std::uint64_t size) override {
        connection_->check(nfs_ftruncate(connection_->ctx(), fh_, size), what_ + ": truncate failed");
    }
    void commit() override { connection_->check(nfs_fsync(connection_->ctx(), fh_), what_ + ": COMMIT failed"); }
    void close() override {
        nfsfh* fh = fh_;
        fh_ = nullptr;
        connection_->check(nfs_close(connection_->ctx(), fh), what_ + ": close failed");
    }

private:
    // libnfs 4.0 (Debian 12) reports a WRITE that the server answered with an error status
    // (NFS3ERR_NOSPC from a full export, _DQUOT, _ROFS, _IO...) as -EFAULT, exactly like a
    // broken connection, and loses the status (its message then shows the raw reply bytes:
    // "pwrite call failed with "\x1c"", 0x1c being NFS3ERR_NOSPC). Taken as a lost
    // connection, a full export would cost eight futile reconnects and end in "server
    // unreachable". So the same connection is asked again: if it no longer answers, the
    // connection was lost after all; if it does, the server refused the write, and FSSTAT
    // tells whether for lack of space (less free than the refused request). Newer libnfs
    // returns the mapped errno itself and never gets here for a refusal.
    int why_write_failed(std::size_t requested) {
        std::string libnfs_said = nfs_get_error(connection_->ctx());
        nfs_stat_64 st{};
        if (nfs_fstat64(connection_->ctx(), fh_, &st) != 0)
            connection_->check(-EIO, what_ + ": write failed (" + libnfs_said + ")");  // throws ConnectionLost
        nfs_statvfs_64 sv{};
        if (nfs_statvfs64(connection_->ctx(), path_.c_str(), &sv) == 0 && sv.f_bavail * sv.f_frsize < requested)
            return ENOSPC;
        throw Error(ExitCode::io_error, what_ + ": the NFS server refused the write (a quota, a read-only export or "
                                                "an I/O error on the server; libnfs 4.0 does not pass on which)");
    }

    // One RPC per synchronous call. libnfs 4.0 splits a larger request into several RPCs and
    // returns on the first failure while the others are still queued; tearing down the
    // context then completes them into the finished call's stack frame (seen as a crash
    // when the server was killed mid-restore).
    std::size_t max_request(std::uint64_t (*limit)(nfs_context*)) {
        std::uint64_t m = limit(connection_->ctx());
        return m ? static_cast<std::size_t>(m) : std::size_t{1} << 20;
    }

    std::unique_ptr<NfsConnection> connection_;
    std::string path_;
    std::string what_;
    nfsfh* fh_ = nullptr;
};

struct ParsedNfsUrl {
    std::string server, port, path, query;
};

// nfs://server[:port]/path[?query]. libnfs 4.0 cannot parse a port in the authority, so
// kura does and passes it on as ?nfsport=.
ParsedNfsUrl parse_nfs_url(const std::string& url) {
    const std::string scheme = "nfs://";
    ParsedNfsUrl u;
    std::string rest = url.substr(scheme.size());
    if (auto q = rest.find('?'); q != std::string::npos) {
        u.query = rest.substr(q + 1);
        rest.resize(q);
    }
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    u.path = slash == std::string::npos ? "/" : rest.substr(slash);
    while (u.path.size() > 1 && u.path.back() == '/') u.path.pop_back();
    if (auto colon = authority.rfind(':'); colon != std::string::npos && authority.find(']') == std::string::npos) {
        u.port = authority.substr(colon + 1);
        authority.resize(colon);
        if (u.port.empty() || u.port.find_first_not_of("0123456789") != std::string::npos)
            throw Error(ExitCode::usage, "--repo " + url + ": the port must be a number");
    }
    u.server = authority;
    if (u.server.empty()) throw Error(ExitCode::usage, "--repo " + url + ": no server name (nfs://server/export)");
    if (u.path == "/") throw Error(ExitCode::usage, "--repo " + url + ": no export path (nfs://server/export)");
    return u;
}

}  // namespace

NfsRepository::NfsRepository(const std::string& url) {
    policy_.server_kind = "NFS server";
    ParsedNfsUrl u = parse_nfs_url(url);
    // Messages name files below the URL, so the query (ports, uid) stays out of them.
    display_ = "nfs://" + u.server + (u.port.empty() ? "" : ":" + u.port) + u.path;
    std::string query = u.query;
    if (!u.port.empty()) query += (query.empty() ? "" : "&") + std::string("nfsport=") + u.port;
    libnfs_url_ = "nfs://" + u.server + "/" + (query.empty() ? "" : "?" + query);

    // The URL's path may go below the export: try the whole path as the export first, then
    // shorter and shorter leading parts, and keep the first answer for a wrong-export message.
    std::string first_failure;
    for (std::string candidate = u.path; !candidate.empty();) {
        try {
            connection_ = std::make_unique<NfsConnection>(libnfs_url_, candidate);
            export_ = candidate;
            subdir_ = u.path.substr(candidate.size());
            break;
        } catch (const ConnectionLost& e) {
            if (first_failure.empty()) first_failure = e.what();
            // An unreachable server answers no differently for a shorter path.
            if (first_failure.find("onnect") != std::string::npos) break;
        }
        auto slash = candidate.rfind('/');
        candidate.resize(slash == std::string::npos ? 0 : slash);
    }
    if (!connection_) {
        // libnfs reports a refusal by the server as "Mount failed with error MNT3ERR_...";
        // anything else means no NFS/MOUNT service answered at all.
        if (first_failure.find("Mount failed") == std::string::npos)
            throw Error(ExitCode::io_error, "cannot mount " + display_ + ": the NFS server does not answer (" +
                                                first_failure + ")");
        throw Error(ExitCode::image_not_found, "cannot mount " + display_ + ": the server refused export " + u.path +
                                                   " (no such export, or this client may not mount it: " +
                                                   first_failure + ")");
    }
    if (!subdir_.empty() && !is_directory(""))
        throw Error(ExitCode::image_not_found, display_ + ": " + subdir_.substr(1) + " is not a directory in export " +
                                                   export_);
}

NfsRepository::~NfsRepository() = default;

std::string NfsRepository::remote_path(const std::string& path) const {
    std::string p = subdir_ + (path.empty() ? "" : "/" + path);
    return p.empty() ? "/" : p;
}

void NfsRepository::on_connection(const std::string& what, const std::function<void(NfsConnection&)>& op) const {
    std::lock_guard lock(mutex_);
    auto run = [&] {
        if (!connection_) connection_ = std::make_unique<NfsConnection>(libnfs_url_, export_);
        op(*connection_);
    };
    try {
        run();
    } catch (const ConnectionLost& lost) {
        retry_with_reconnect(what, policy_, lost, [&] {
            connection_.reset();
            run();
        });
    }
}

bool NfsRepository::exists(const std::string& path) const {
    bool found = false;
    on_connection(display_, [&](NfsConnection& c) {
        nfs_stat_64 st{};
        int rc = nfs_lstat64(c.ctx(), remote_path(path).c_str(), &st);
        if (rc == -ENOENT) return;
        c.check(rc, display_ + "/" + path);
        found = true;
    });
    return found;
}

bool NfsRepository::is_directory(const std::string& path) const {
    bool dir = false;
    on_connection(display_, [&](NfsConnection& c) {
        nfs_stat_64 st{};
        int rc = nfs_stat64(c.ctx(), remote_path(path).c_str(), &st);
        if (rc == -ENOENT || rc == -ENOTDIR) return;
        c.check(rc, display_ + "/" + path);
        dir = S_ISDIR(st.nfs_mode);
    });
    return dir;
}

std::vector<std::string> NfsRepository::list(const std::string& dir) const {
    std::vector<std::string> names;
    on_connection(display_, [&](NfsConnection& c) {
        names.clear();
        nfsdir* d = nullptr;
        c.check(nfs_opendir(c.ctx(), remote_path(dir).c_str(), &d), display_ + "/" + dir);
        while (nfsdirent* e = nfs_readdir(c.ctx(), d)) {
            std::string name = e->name;
            if (name != "." && name != "..") names.push_back(name);
        }
        nfs_closedir(c.ctx(), d);
    });
    std::sort(names.begin(), names.end());
    return names;
}

std::uint64_t NfsRepository::file_size(const std::string& path) const {
    EntryInfo info = entry_info(path);
    if (info.kind == FileKind::missing)
        throw Error(ExitCode::image_not_found, display_ + "/" + path + ": " + std::strerror(ENOENT));
    if (info.kind != FileKind::regular) throw_not_regular_file(display_ + "/" + path);
    return info.bytes;
}

EntryInfo NfsRepository::entry_info(const std::string& path) const {
    EntryInfo info;
    on_connection(display_, [&](NfsConnection& c) {
        // LOOKUP + GETATTR without following: a symlink on the export is reported as one.
        nfs_stat_64 st{};
        int rc = nfs_lstat64(c.ctx(), remote_path(path).c_str(), &st);
        if (rc == -ENOENT || rc == -ENOTDIR) {
            info = {};
            return;
        }
        c.check(rc, display_ + "/" + path);
        if (S_ISREG(st.nfs_mode)) info = {FileKind::regular, st.nfs_size};
        else info = {S_ISDIR(st.nfs_mode) ? FileKind::directory : FileKind::other, 0};
    });
    return info;
}

std::uint64_t NfsRepository::free_bytes() const {
    std::uint64_t bytes = 0;
    on_connection(display_, [&](NfsConnection& c) {
        nfs_statvfs_64 sv{};
        if (nfs_statvfs64(c.ctx(), remote_path("").c_str(), &sv) == 0) bytes = sv.f_bavail * sv.f_frsize;
    });
    return bytes;
}

void NfsRepository::make_directory(const std::string& path) {
    on_connection(display_, [&](NfsConnection& c) {
        c.check(nfs_mkdir2(c.ctx(), remote_path(path).c_str(), 0700), "cannot create " + display_ + "/" + path);
    });
}

RemoteFileOpener NfsRepository::opener(const std::string& path) const {
    std::string libnfs_url = libnfs_url_, export_path = export_, remote = remote_path(path);
    std::string what = display_ + "/" + path;
    return [libnfs_url, export_path, remote, what](bool create) {
        return std::make_unique<NfsFile>(std::make_unique<NfsConnection>(libnfs_url, export_path), remote, what,
                                         create, true);
    };
}

std::unique_ptr<WritableFile> NfsRepository::create_file(const std::string& path) {
    return make_resuming_sink(display_ + "/" + path, opener(path), policy_);
}

std::unique_ptr<WritableFile> NfsRepository::reopen_file(const std::string& path, std::uint64_t keep_bytes) {
    // file_size refuses anything but a regular file, so no symlinked piece is appended to.
    // Cutting back must never lengthen: a file shorter than what is to be kept lost data.
    if (std::uint64_t size = file_size(path); size < keep_bytes)
        throw Error(ExitCode::image_corrupt, display_ + "/" + path + " has " + std::to_string(size) +
                                                 " bytes, fewer than the " + std::to_string(keep_bytes) + " to keep");
    return make_reopened_sink(display_ + "/" + path, opener(path), policy_, keep_bytes);
}

std::unique_ptr<ByteSource> NfsRepository::open_file(const std::string& path) const {
    // Checked once here, without following links: libnfs 4.0 would follow a symlink on OPEN
    // (resolving it on the client), and a FIFO or device node on the export is no data file.
    if (EntryInfo info = entry_info(path); info.kind != FileKind::regular && info.kind != FileKind::missing)
        throw_not_regular_file(display_ + "/" + path);
    std::string libnfs_url = libnfs_url_, export_path = export_, remote = remote_path(path);
    std::string what = display_ + "/" + path;
    RemoteFileOpener for_reading = [libnfs_url, export_path, remote, what](bool) {
        return std::make_unique<NfsFile>(std::make_unique<NfsConnection>(libnfs_url, export_path), remote, what,
                                         false, false);
    };
    return make_resuming_source(display_ + "/" + path, std::move(for_reading), policy_);
}

void NfsRepository::rename(const std::string& from, const std::string& to) {
    const std::string what = "cannot rename " + display_ + "/" + from + " to " + to;
    // RENAME is not idempotent. If the connection breaks after the server performed it but
    // before its reply arrived, the retry on the new connection finds the target existing
    // (and a second RENAME would get NFS3ERR_NOENT, the source being gone): a finished save
    // would be reported as failed, its image left in place. So once a RENAME has been sent,
    // a retry first looks at both names: target there and source gone means the lost
    // attempt succeeded. The check before the first attempt ensures the target was not
    // there already, so nothing else can have produced that state.
    bool sent = false;
    on_connection(display_, [&](NfsConnection& c) {
        auto present = [&](const std::string& path) {
            nfs_stat_64 st{};
            int rc = nfs_lstat64(c.ctx(), remote_path(path).c_str(), &st);
            if (rc == -ENOENT) return false;
            c.check(rc, what);
            return true;
        };
        bool target_there = present(to);
        if (sent && target_there && !present(from)) return;  // done by the attempt whose reply was lost
        // NFSv3 RENAME replaces silently; refuse like the local backend's RENAME_NOREPLACE.
        if (target_there) throw Error(ExitCode::io_error, what + ": it exists");
        sent = true;
        c.check(nfs_rename(c.ctx(), remote_path(from).c_str(), remote_path(to).c_str()), what);
    });
}

void NfsRepository::remove_tree(const std::string& path) {
    if (!exists(path)) return;
    if (is_directory(path)) {
        for (const auto& name : list(path)) remove_tree(path + "/" + name);
        on_connection(display_, [&](NfsConnection& c) {
            c.check(nfs_rmdir(c.ctx(), remote_path(path).c_str()), "cannot remove " + display_ + "/" + path);
        });
    } else {
        on_connection(display_, [&](NfsConnection& c) {
            c.check(nfs_unlink(c.ctx(), remote_path(path).c_str()), "cannot remove " + display_ + "/" + path);
        });
    }
}

// NFSv3 servers make CREATE, MKDIR and RENAME durable before they reply (RFC 1813), so
// there is nothing left to flush for directory entries.
void NfsRepository::sync_directory(const std::string&) {}

}  // namespace kura
