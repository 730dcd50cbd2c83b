#include "repo/smb_repository.h"

#include "core/error.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <libsmbclient.h>

namespace kura {
namespace {

// libsmbclient keeps process-wide state behind its contexts (talloc stack frames, the
// loaded smb.conf), so kura makes one call into it at a time.
std::mutex& library_mutex() {
    static std::mutex m;
    return m;
}

void copy_field(const std::string& value, char* out, int size) {
    if (size <= 0) return;
    std::size_t n = std::min(value.size(), static_cast<std::size_t>(size - 1));
    std::memcpy(out, value.data(), n);
    out[n] = '\0';
}

// The dialects a connection may negotiate: `?protocol=` of the URL; null leaves
// libsmbclient's own range (smb.conf's `client min/max protocol`, SMB2_02 to SMB3_11 in
// Samba 4.17).
struct SmbProtocolRange {
    const char* min = nullptr;
    const char* max = nullptr;
};

void supply_credentials(SMBCCTX* ctx, const char*, const char*, char* workgroup, int workgroup_len, char* user,
                        int user_len, char* password, int password_len) {
    const auto* c = static_cast<const SmbCredentials*>(smbc_getOptionUserData(ctx));
    if (!c->domain.empty()) copy_field(c->domain, workgroup, workgroup_len);
    copy_field(c->user, user, user_len);
    copy_field(c->password, password, password_len);
}

}  // namespace

// One libsmbclient context: its own TCP session to the server, so a reconnect is simply a
// new SmbConnection.
class SmbConnection {
public:
    SmbConnection(std::shared_ptr<const SmbCredentials> credentials, std::string display, SmbProtocolRange protocols)
        : credentials_(std::move(credentials)), display_(std::move(display)) {
        std::lock_guard lock(library_mutex());
        ctx_ = smbc_new_context();
        if (!ctx_) throw Error(ExitCode::internal, "libsmbclient: cannot create a context");
        smbc_setDebug(ctx_, 0);
        smbc_setOptionUserData(ctx_, const_cast<SmbCredentials*>(credentials_.get()));
        smbc_setFunctionAuthDataWithContext(ctx_, supply_credentials);
        // A wrong password must fail, not silently become a guest login.
        smbc_setOptionNoAutoAnonymousLogin(ctx_, 1);
        smbc_setOptionUseKerberos(ctx_, 0);
        smbc_setOptionFallbackAfterKerberos(ctx_, 1);
        smbc_setTimeout(ctx_, 15000);
        if ((protocols.min || protocols.max) && !smbc_setOptionProtocols(ctx_, protocols.min, protocols.max)) {
            smbc_free_context(ctx_, 1);
            throw Error(ExitCode::internal, "libsmbclient: cannot restrict the SMB protocol range");
        }
        if (!smbc_init_context(ctx_)) {
            smbc_free_context(ctx_, 1);
            throw Error(ExitCode::internal, "libsmbclient: cannot initialise a context");
        }
    }
    ~SmbConnection() {
        std::lock_guard lock(library_mutex());
        smbc_free_context(ctx_, 1);
    }
    SmbConnection(const SmbConnection&) = delete;
    SmbConnection& operator=(const SmbConnection&) = delete;

    SMBCCTX* ctx() { return ctx_; }

    // Runs one libsmbclient call under the library lock and returns errno with its result.
    template <typename Call>
    auto call(Call c) {
        std::lock_guard lock(library_mutex());
        errno = 0;
        auto result = c(ctx_);
        last_errno_ = errno;
        return result;
    }
    int last_errno() const { return last_errno_; }

    // True once a call failed in a way that may have left the session unusable.
    bool broken() const { return broken_; }
    void mark_broken() { broken_ = true; }

    // `what` must be built from display paths only, never from anything with the password.
    [[noreturn]] void fail(const std::string& what) {
        int err = last_errno_ ? last_errno_ : EIO;
        if (!is_final_server_errno(err)) {
            broken_ = true;
            throw ConnectionLost(errno_text(what, err));
        }
        // smbd answers NT_STATUS_DISK_FULL for a full filesystem and for an exhausted quota
        // alike; libsmbclient turns both into ENOSPC.
        if (err == EEXIST) throw AlreadyExists(what + ": it exists");
        if (err == ENOSPC || err == EDQUOT)
            throw Error(ExitCode::io_error, what + ": the repository is full (no space left on the SMB share)");
        if (err == EACCES || err == EPERM)
            throw Error(ExitCode::io_error, what + ": access denied for user " + credentials_->user +
                                                " (wrong password, or no permission on the share)");
        throw Error(err == ENOENT ? ExitCode::image_not_found : ExitCode::io_error, errno_text(what, err));
    }

private:
    std::shared_ptr<const SmbCredentials> credentials_;
    std::string display_;
    SMBCCTX* ctx_ = nullptr;
    int last_errno_ = 0;
    bool broken_ = false;
};

// Idle connections to the share, handed to the next file or directory operation. A new
// connection costs a TCP connect, a worker process forked by smbd and an NTLM session
// setup: 80-200 ms each on loopback (measured), several seconds in all for the dozen
// files of one image; a reused one costs nothing. A connection is reused only when
// nothing went wrong on it, and a lost one empties the pool, since the others most
// likely went down with the same server.
class SmbConnectionPool {
public:
    SmbConnectionPool(std::shared_ptr<const SmbCredentials> credentials, std::string display,
                      SmbProtocolRange protocols)
        : credentials_(std::move(credentials)), display_(std::move(display)), protocols_(protocols) {}

    std::unique_ptr<SmbConnection> take() {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                auto c = std::move(idle_.back());
                idle_.pop_back();
                return c;
            }
        }
        return std::make_unique<SmbConnection>(credentials_, display_, protocols_);
    }

    void give_back(std::unique_ptr<SmbConnection> c) {
        if (!c) return;
        std::vector<std::unique_ptr<SmbConnection>> dropped;  // freed outside the lock
        std::lock_guard lock(mutex_);
        if (c->broken()) {
            dropped.swap(idle_);
            dropped.push_back(std::move(c));
        } else if (idle_.size() < kMaxIdle) {
            idle_.push_back(std::move(c));
        } else {
            dropped.push_back(std::move(c));
        }
    }

private:
    static constexpr std::size_t kMaxIdle = 4;
    std::shared_ptr<const SmbCredentials> credentials_;
    std::string display_;
    SmbProtocolRange protocols_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<SmbConnection>> idle_;
};

namespace {

class SmbFile : public RemoteFile {
public:
    SmbFile(std::shared_ptr<SmbConnectionPool> pool, const std::string& url, std::string what, bool create,
            bool for_write)
        : pool_(std::move(pool)), connection_(pool_->take()), what_(std::move(what)) {
        // O_EXCL becomes the create disposition FILE_CREATE: smbd refuses an existing name.
        // The mode is not sent: the share's settings decide who may read the file.
        // A file reopened for writing is readable too: a retried creation reads whether the
        // file it finds is still empty (remote_file.cpp).
        int flags = create ? O_WRONLY | O_CREAT | O_EXCL : (for_write ? O_RDWR : O_RDONLY);
        file_ = connection_->call([&](SMBCCTX* c) { return smbc_getFunctionOpen(c)(c, url.c_str(), flags, 0600); });
        if (!file_) {
            try {
                connection_->fail((create ? "cannot create " : "cannot open ") + what_);
            } catch (...) {
                pool_->give_back(std::move(connection_));  // a lost one empties the pool
                throw;
            }
        }
    }
    ~SmbFile() override {
        // A file abandoned with its handle open (after an error) is closed here; if that
        // fails, the session is in doubt and is not reused.
        if (file_ && connection_->call([&](SMBCCTX* c) { return smbc_getFunctionClose(c)(c, file_); }) != 0)
            connection_->mark_broken();
        pool_->give_back(std::move(connection_));
    }
    void pwrite(const void* data, std::size_t length, std::uint64_t offset) override {
        seek(offset);
        const char* p = static_cast<const char*>(data);
        while (length > 0) {
            // 1 MiB requests: libsmbclient's synchronous calls are 2-3x slower with small ones,
            // and larger ones (up to smbd's 8 MiB `smb2 max write`, one SMB2 WRITE per call)
            // measured no faster on loopback: 4-16 MiB took smbd more CPU per byte.
            std::size_t chunk = std::min<std::size_t>(length, 1u << 20);
            ssize_t n = connection_->call([&](SMBCCTX* c) { return smbc_getFunctionWrite(c)(c, file_, p, chunk); });
            if (n <= 0) connection_->fail(what_ + ": write failed");
            p += n;
            position_ += static_cast<std::uint64_t>(n);
            length -= static_cast<std::size_t>(n);
        }
    }
    std::size_t pread(void* buffer, std::size_t length, std::uint64_t offset) override {
        seek(offset);
        ssize_t n = connection_->call([&](SMBCCTX* c) { return smbc_getFunctionRead(c)(c, file_, buffer, length); });
        if (n < 0) connection_->fail(what_ + ": read failed");
        position_ += static_cast<std::uint64_t>(n);
        return static_cast<std::size_t>(n);
    }
    void truncate(std::uint64_t size) override {
        int rc = connection_->call(
            [&](SMBCCTX* c) { return smbc_getFunctionFtruncate(c)(c, file_, static_cast<off_t>(size)); });
        if (rc != 0) connection_->fail(what_ + ": truncate failed");
    }
    // libsmbclient has no flush call; what smbd accepted is in the server's page cache,
    // which survives smbd itself dying. docs/repositories.md says what that means.
    void commit() override {}
    void close() override {
        SMBCFILE* f = file_;
        file_ = nullptr;
        // Delayed write errors surface here.
        int rc = connection_->call([&](SMBCCTX* c) { return smbc_getFunctionClose(c)(c, f); });
        if (rc != 0) connection_->fail(what_ + ": close failed");
    }

private:
    void seek(std::uint64_t offset) {
        if (offset == position_ && known_position_) return;
        off_t r = connection_->call(
            [&](SMBCCTX* c) { return smbc_getFunctionLseek(c)(c, file_, static_cast<off_t>(offset), SEEK_SET); });
        if (r < 0) connection_->fail(what_ + ": seek failed");
        position_ = offset;
        known_position_ = true;
    }

    std::shared_ptr<SmbConnectionPool> pool_;
    std::unique_ptr<SmbConnection> connection_;
    std::string what_;
    SMBCFILE* file_ = nullptr;
    std::uint64_t position_ = 0;
    bool known_position_ = false;
};

struct ParsedSmbUrl {
    std::string domain, user, host_port, path;
    SmbProtocolRange protocols;
};

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// `?protocol=SMB2|SMB3`: one family only, for a server that misbehaves with the other
// (an old NAS whose SMB3 is broken; a policy that demands SMB3's encryption and signing).
// Samba's own names "SMB2" and "SMB3" mean one dialect each (2.1, 3.1.1), so the ranges
// are spelt out: SMB 2.0.2-2.1, SMB 3.0-3.1.1.
SmbProtocolRange parse_smb_query(const std::string& query) {
    SmbProtocolRange range;
    std::size_t from = 0;
    while (from <= query.size()) {
        std::size_t amp = query.find('&', from);
        std::string option = query.substr(from, amp == std::string::npos ? std::string::npos : amp - from);
        from = amp == std::string::npos ? query.size() + 1 : amp + 1;
        if (option.empty()) continue;
        auto eq = option.find('=');
        std::string key = option.substr(0, eq), value = eq == std::string::npos ? "" : option.substr(eq + 1);
        if (key != "protocol")
            throw Error(ExitCode::usage, "--repo: smb:// URLs take no option '" + key + "' (only ?protocol=SMB2|SMB3)");
        if (upper(value) == "SMB2") range = {"SMB2_02", "SMB2_10"};
        else if (upper(value) == "SMB3") range = {"SMB3_00", "SMB3_11"};
        else
            throw Error(ExitCode::usage,
                        "--repo: protocol=" + value + " in the smb:// URL is not one of SMB2, SMB3");
    }
    return range;
}

// smb://[domain;]user@server[:port]/share[/path][?protocol=SMB2|SMB3]. A password in the
// URL is refused: it would end up in shell history, ps output and Info-saved-by-cmd.txt.
ParsedSmbUrl parse_smb_url(const std::string& url) {
    ParsedSmbUrl u;
    std::string rest = url.substr(std::string("smb://").size());
    if (auto q = rest.find('?'); q != std::string::npos) {
        u.protocols = parse_smb_query(rest.substr(q + 1));
        rest.resize(q);
    }
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    u.path = slash == std::string::npos ? "" : rest.substr(slash);
    while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
    if (auto at = authority.rfind('@'); at != std::string::npos) {
        std::string userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        if (userinfo.find(':') != std::string::npos)
            throw Error(ExitCode::usage,
                        "--repo: a password in an smb:// URL is not accepted; use KURA_SMB_PASSWORD, "
                        "--smb-credentials FILE or the prompt");
        if (auto semi = userinfo.find(';'); semi != std::string::npos) {
            u.domain = userinfo.substr(0, semi);
            userinfo = userinfo.substr(semi + 1);
        }
        u.user = userinfo;
    }
    u.host_port = authority;
    if (u.host_port.empty() || u.host_port[0] == ':')
        throw Error(ExitCode::usage, "--repo: no server in the smb:// URL (smb://user@server/share)");
    if (u.path.size() < 2) throw Error(ExitCode::usage, "--repo: no share in the smb:// URL (smb://user@server/share)");
    return u;
}

}  // namespace

SmbRepository::SmbRepository(const std::string& url, const RepositoryOptions& options) {
    policy_.server_kind = "SMB server";
    ParsedSmbUrl u = parse_smb_url(url);
    display_ = "smb://" + (u.domain.empty() ? "" : u.domain + ";") + (u.user.empty() ? "" : u.user + "@") +
               u.host_port + u.path;
    base_url_ = "smb://" + u.host_port + u.path;
    credentials_ = std::make_shared<const SmbCredentials>(resolve_smb_credentials(u.domain, u.user, display_, options));
    pool_ = std::make_shared<SmbConnectionPool>(credentials_, display_, u.protocols);
    try {
        auto connection = pool_->take();
        struct stat st {};
        int rc = connection->call([&](SMBCCTX* c) { return smbc_getFunctionStat(c)(c, base_url_.c_str(), &st); });
        if (rc != 0) {
            int err = connection->last_errno();
            if (err == ENOENT || err == ENODEV)
                throw Error(ExitCode::image_not_found, display_ + ": no such share or directory on the server");
            if (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH || err == ETIMEDOUT)
                throw Error(ExitCode::io_error, errno_text("cannot reach the SMB server for " + display_, err));
            // libsmbclient's answer when negotiation finds no dialect both sides speak.
            if (err == ENOSYS || err == EPROTONOSUPPORT)
                throw Error(ExitCode::io_error,
                            "cannot connect to " + display_ + ": the server speaks none of the SMB dialects offered (" +
                                (u.protocols.min ? std::string(u.protocols.min) + " to " + u.protocols.max +
                                                       ", as ?protocol= asked"
                                                 : std::string("libsmbclient's defaults")) +
                                ")");
            connection->fail("cannot open " + display_);
        }
        if (!S_ISDIR(st.st_mode)) throw Error(ExitCode::image_not_found, display_ + " is not a directory");
        pool_->give_back(std::move(connection));
    } catch (const ConnectionLost& e) {
        throw Error(ExitCode::io_error, std::string("cannot connect to ") + e.what());
    }
}

SmbRepository::~SmbRepository() = default;

std::string SmbRepository::url_of(const std::string& path) const {
    return path.empty() ? base_url_ : base_url_ + "/" + path;
}

void SmbRepository::on_connection(const std::function<void(SmbConnection&)>& op) const {
    auto run = [&] {
        auto connection = pool_->take();
        // Returned on every way out: a refusal leaves it usable, a loss marks it broken.
        struct GiveBack {
            SmbConnectionPool& pool;
            std::unique_ptr<SmbConnection>& c;
            ~GiveBack() { pool.give_back(std::move(c)); }
        } give_back{*pool_, connection};
        op(*connection);
    };
    try {
        run();
    } catch (const ConnectionLost& lost) {
        retry_with_reconnect(display_, policy_, lost, run);
    }
}

bool SmbRepository::exists(const std::string& path) const {
    bool found = false;
    on_connection([&](SmbConnection& c) {
        struct stat st {};
        int rc = c.call([&](SMBCCTX* x) { return smbc_getFunctionStat(x)(x, url_of(path).c_str(), &st); });
        if (rc != 0 && c.last_errno() == ENOENT) return;
        if (rc != 0) c.fail(display_ + "/" + path);
        found = true;
    });
    return found;
}

bool SmbRepository::is_directory(const std::string& path) const {
    bool dir = false;
    on_connection([&](SmbConnection& c) {
        struct stat st {};
        int rc = c.call([&](SMBCCTX* x) { return smbc_getFunctionStat(x)(x, url_of(path).c_str(), &st); });
        if (rc != 0 && (c.last_errno() == ENOENT || c.last_errno() == ENOTDIR)) return;
        if (rc != 0) c.fail(display_ + "/" + path);
        dir = S_ISDIR(st.st_mode);
    });
    return dir;
}

std::vector<std::string> SmbRepository::list(const std::string& dir) const {
    std::vector<std::string> names;
    on_connection([&](SmbConnection& c) {
        names.clear();
        SMBCFILE* d = c.call([&](SMBCCTX* x) { return smbc_getFunctionOpendir(x)(x, url_of(dir).c_str()); });
        if (!d) c.fail(display_ + "/" + dir);
        while (smbc_dirent* e = c.call([&](SMBCCTX* x) { return smbc_getFunctionReaddir(x)(x, d); })) {
            std::string name = e->name;
            if (name != "." && name != "..") names.push_back(name);
        }
        c.call([&](SMBCCTX* x) { return smbc_getFunctionClosedir(x)(x, d); });
    });
    std::sort(names.begin(), names.end());
    return names;
}

std::uint64_t SmbRepository::file_size(const std::string& path) const {
    std::uint64_t size = 0;
    on_connection([&](SmbConnection& c) {
        struct stat st {};
        int rc = c.call([&](SMBCCTX* x) { return smbc_getFunctionStat(x)(x, url_of(path).c_str(), &st); });
        if (rc != 0) c.fail(display_ + "/" + path);
        if (!S_ISREG(st.st_mode)) throw_not_regular_file(display_ + "/" + path);
        size = static_cast<std::uint64_t>(st.st_size);
    });
    return size;
}

EntryInfo SmbRepository::entry_info(const std::string& path) const {
    EntryInfo info;
    on_connection([&](SmbConnection& c) {
        // SMB has no client-side symlinks: smbd resolves them (or refuses to, with its
        // "follow symlinks"/"wide links" settings); the mode it reports is what is read.
        struct stat st {};
        int rc = c.call([&](SMBCCTX* x) { return smbc_getFunctionStat(x)(x, url_of(path).c_str(), &st); });
        if (rc != 0 && (c.last_errno() == ENOENT || c.last_errno() == ENOTDIR)) {
            info = {};
            return;
        }
        if (rc != 0) c.fail(display_ + "/" + path);
        if (S_ISREG(st.st_mode)) info = {FileKind::regular, static_cast<std::uint64_t>(st.st_size)};
        else info = {S_ISDIR(st.st_mode) ? FileKind::directory : FileKind::other, 0};
    });
    return info;
}

std::uint64_t SmbRepository::free_bytes() const {
    std::uint64_t bytes = 0;
    on_connection([&](SmbConnection& c) {
        struct statvfs sv {};
        std::string url = url_of("");
        int rc = c.call([&](SMBCCTX* x) { return smbc_getFunctionStatVFS(x)(x, url.data(), &sv); });
        // libsmbclient fills f_bsize with the bytes per sector and f_frsize with the sectors
        // per allocation unit (the SMB FileFsFullSizeInformation fields), not with bytes.
        if (rc == 0)
            bytes = static_cast<std::uint64_t>(sv.f_bavail) * std::max<std::uint64_t>(sv.f_frsize, 1) *
                    std::max<std::uint64_t>(sv.f_bsize, 1);
    });
    return bytes;
}

void SmbRepository::make_directory(const std::string& path) {
    on_connection([&](SmbConnection& c) {
        int rc = c.call([&](SMBCCTX* x) { return smbc_getFunctionMkdir(x)(x, url_of(path).c_str(), 0700); });
        if (rc != 0) c.fail("cannot create " + display_ + "/" + path);
    });
}

RemoteFileOpener SmbRepository::opener(const std::string& path, bool for_write) const {
    auto pool = pool_;
    std::string url = url_of(path), what = display_ + "/" + path;
    return [pool, url, what, for_write](bool create) {
        return std::make_unique<SmbFile>(pool, url, what, create, for_write);
    };
}

std::unique_ptr<WritableFile> SmbRepository::create_file(const std::string& path) {
    return make_resuming_sink(display_ + "/" + path, opener(path, true), policy_);
}

std::unique_ptr<WritableFile> SmbRepository::reopen_file(const std::string& path, std::uint64_t keep_bytes) {
    // Cutting back must never lengthen: a file shorter than what is to be kept lost data.
    if (std::uint64_t size = file_size(path); size < keep_bytes)
        throw Error(ExitCode::image_corrupt, display_ + "/" + path + " has " + std::to_string(size) +
                                                 " bytes, fewer than the " + std::to_string(keep_bytes) + " to keep");
    return make_reopened_sink(display_ + "/" + path, opener(path, true), policy_, keep_bytes);
}

std::unique_ptr<ByteSource> SmbRepository::open_file(const std::string& path) const {
    if (EntryInfo info = entry_info(path); info.kind != FileKind::regular && info.kind != FileKind::missing)
        throw_not_regular_file(display_ + "/" + path);
    return make_resuming_source(display_ + "/" + path, opener(path, false), policy_);
}

void SmbRepository::rename(const std::string& from, const std::string& to) {
    const std::string what = "cannot rename " + display_ + "/" + from + " to " + to;
    // A rename is not idempotent: when the connection breaks after smbd performed it but
    // before its reply arrived, the retry finds the source gone (ENOENT). So a retry first
    // checks whether the lost attempt already did the work: target there, source gone (the
    // target was checked absent before the first attempt).
    bool sent = false;
    on_connection([&](SmbConnection& c) {
        auto present = [&](const std::string& path) {
            struct stat st {};
            int rc = c.call([&](SMBCCTX* x) { return smbc_getFunctionStat(x)(x, url_of(path).c_str(), &st); });
            if (rc != 0 && c.last_errno() == ENOENT) return false;
            if (rc != 0) c.fail(what);
            return true;
        };
        bool target_there = present(to);
        if (sent && target_there && !present(from)) return;  // done by the attempt whose reply was lost
        // libsmbclient would replace an existing file; kura never replaces anything.
        if (target_there) throw Error(ExitCode::io_error, what + ": it exists");
        sent = true;
        int rc = c.call([&](SMBCCTX* x) {
            return smbc_getFunctionRename(x)(x, url_of(from).c_str(), x, url_of(to).c_str());
        });
        if (rc != 0) c.fail(what);
    });
}

void SmbRepository::remove_tree(const std::string& path) {
    if (!exists(path)) return;
    bool dir = is_directory(path);
    if (dir)
        for (const auto& name : list(path)) remove_tree(path + "/" + name);
    on_connection([&](SmbConnection& c) {
        int rc = c.call([&](SMBCCTX* x) {
            return dir ? smbc_getFunctionRmdir(x)(x, url_of(path).c_str())
                       : smbc_getFunctionUnlink(x)(x, url_of(path).c_str());
        });
        if (rc != 0) c.fail("cannot remove " + display_ + "/" + path);
    });
}

// SMB offers no directory flush through libsmbclient; smbd performs create and rename
// synchronously on its filesystem before it replies.
void SmbRepository::sync_directory(const std::string&) {}

}  // namespace kura
