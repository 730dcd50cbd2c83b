#include "repo/local_repository.h"

#include "core/error.h"
#include "core/log.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace kura {
namespace fs = std::filesystem;

namespace {

class LocalFileSink : public WritableFile {
public:
    LocalFileSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~LocalFileSink() override {
        if (fd_ >= 0) ::close(fd_);
    }
    void write(const void* data, std::size_t length) override {
        const auto* p = static_cast<const char*>(data);
        while (length > 0) {
            ssize_t n = ::write(fd_, p, length);
            if (n < 0) {
                if (errno == EINTR) continue;
                int err = errno;
                if (err == ENOSPC || err == EDQUOT)
                    throw Error(ExitCode::io_error, path_ + ": the repository is full");
                throw_errno(ExitCode::io_error, path_ + ": write failed", err);
            }
            p += n;
            length -= static_cast<std::size_t>(n);
        }
    }
    void sync() override {
        if (::fsync(fd_) != 0) throw_errno(ExitCode::io_error, path_ + ": flushing to disk failed", errno);
    }
    void close() override {
        if (fd_ < 0) return;
        int rc = ::fsync(fd_);
        int err = errno;
        ::close(fd_);
        fd_ = -1;
        if (rc != 0) throw_errno(ExitCode::io_error, path_ + ": flushing to disk failed", err);
    }

private:
    int fd_;
    std::string path_;
};

class LocalFileSource : public ByteSource {
public:
    LocalFileSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
        ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    ~LocalFileSource() override { ::close(fd_); }
    std::size_t read(void* buffer, std::size_t length) override {
        for (;;) {
            ssize_t n = ::read(fd_, buffer, length);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno != EINTR) throw_errno(ExitCode::io_error, path_ + ": read failed", errno);
        }
    }

private:
    int fd_;
    std::string path_;
};

// Opens `path` only if it is a regular file: O_NOFOLLOW refuses a symlink, O_NONBLOCK
// keeps a FIFO from blocking the open (a FIFO with no writer would hang a reader forever),
// and fstat on the opened descriptor decides, so nothing can be swapped in between.
int open_regular_file(const std::string& path, int access) {
    int fd = ::open(path.c_str(), access | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        if (err == ELOOP || err == ENXIO) throw_not_regular_file(path);
        throw_errno(err == ENOENT ? ExitCode::image_not_found : ExitCode::io_error,
                    access == O_RDONLY ? path : "cannot open " + path, err);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw_not_regular_file(path);
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

}  // namespace

LocalRepository::LocalRepository(std::string root) : root_(std::move(root)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string LocalRepository::full(const std::string& path) const {
    return path.empty() ? root_ : root_ + "/" + path;
}

bool LocalRepository::exists(const std::string& path) const {
    struct stat st {};
    return ::lstat(full(path).c_str(), &st) == 0;
}

bool LocalRepository::is_directory(const std::string& path) const {
    struct stat st {};
    return ::stat(full(path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> LocalRepository::list(const std::string& dir) const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(full(dir), ec)) names.push_back(entry.path().filename());
    if (ec) throw Error(ExitCode::image_not_found, full(dir) + ": " + ec.message());
    std::sort(names.begin(), names.end());
    return names;
}

std::uint64_t LocalRepository::file_size(const std::string& path) const {
    // lstat: the size of whatever a symlink points at is none of the image's business.
    struct stat st {};
    if (::lstat(full(path).c_str(), &st) != 0) throw_errno(ExitCode::image_not_found, full(path), errno);
    if (!S_ISREG(st.st_mode)) throw_not_regular_file(full(path));
    return static_cast<std::uint64_t>(st.st_size);
}

EntryInfo LocalRepository::entry_info(const std::string& path) const {
    struct stat st {};
    if (::lstat(full(path).c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return {};
        throw_errno(ExitCode::io_error, full(path), errno);
    }
    if (S_ISREG(st.st_mode)) return {FileKind::regular, static_cast<std::uint64_t>(st.st_size)};
    return {S_ISDIR(st.st_mode) ? FileKind::directory : FileKind::other, 0};
}

std::uint64_t LocalRepository::free_bytes() const {
    struct statvfs sv {};
    if (::statvfs(root_.c_str(), &sv) != 0) return 0;
    return static_cast<std::uint64_t>(sv.f_bavail) * sv.f_frsize;
}

void LocalRepository::make_directory(const std::string& path) {
    if (::mkdir(full(path).c_str(), 0700) != 0) {
        int err = errno;
        if (err == EEXIST) throw AlreadyExists("cannot create " + full(path) + ": it exists");
        throw_errno(ExitCode::io_error, "cannot create " + full(path), err);
    }
    int fd = ::open(full(path).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw_errno(ExitCode::io_error, "cannot open " + full(path), errno);
    restrict_to_owner(fd, 0700, full(path));
    ::close(fd);
}

std::unique_ptr<WritableFile> LocalRepository::create_file(const std::string& path) {
    int fd = ::open(full(path).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        int err = errno;
        if (err == EEXIST) throw AlreadyExists("cannot create " + full(path) + ": it exists");
        throw_errno(ExitCode::io_error, "cannot create " + full(path), err);
    }
    auto sink = std::make_unique<LocalFileSink>(fd, full(path));
    restrict_to_owner(fd, 0600, full(path));
    return sink;
}

// The mode given at creation is already owner-only, and a umask can only take bits away;
// but a default ACL on the repository directory can add some back, so the mode is set
// explicitly. A filesystem without Unix permissions (FAT, exFAT, NTFS mounted by the
// operator) refuses the change: its mount options decide, and the operator is told once.
void LocalRepository::restrict_to_owner(int fd, mode_t mode, const std::string& what) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw_errno(ExitCode::io_error, what, errno);
    if ((st.st_mode & 07777) == mode) return;
    if (::fchmod(fd, mode) == 0) return;
    int err = errno;
    if (err != EPERM && err != EOPNOTSUPP) throw_errno(ExitCode::io_error, "cannot chmod " + what, err);
    if (!warned_about_permissions_)
        log::warn(root_ + " keeps no Unix permissions (chmod: " + std::string(std::strerror(err)) +
                  "): image files there are as readable as its mount options make them");
    warned_about_permissions_ = true;
}

std::unique_ptr<WritableFile> LocalRepository::reopen_file(const std::string& path, std::uint64_t keep_bytes) {
    // A resumed save must never append through a symlinked piece to a file outside.
    int fd = open_regular_file(full(path), O_WRONLY);
    auto sink = std::make_unique<LocalFileSink>(fd, full(path));
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw_errno(ExitCode::io_error, full(path), errno);
    if (static_cast<std::uint64_t>(st.st_size) < keep_bytes)
        throw Error(ExitCode::image_corrupt, full(path) + " has " + std::to_string(st.st_size) + " bytes, fewer than the " +
                                                 std::to_string(keep_bytes) + " to keep");
    if (::ftruncate(fd, static_cast<off_t>(keep_bytes)) != 0)
        throw_errno(ExitCode::io_error, "cannot truncate " + full(path), errno);
    if (::lseek(fd, static_cast<off_t>(keep_bytes), SEEK_SET) < 0)
        throw_errno(ExitCode::io_error, full(path), errno);
    return sink;
}

std::unique_ptr<ByteSource> LocalRepository::open_file(const std::string& path) const {
    return std::make_unique<LocalFileSource>(open_regular_file(full(path), O_RDONLY), full(path));
}

void LocalRepository::rename(const std::string& from, const std::string& to) {
    // RENAME_NOREPLACE: never clobber an image that appeared meanwhile.
    if (::renameat2(AT_FDCWD, full(from).c_str(), AT_FDCWD, full(to).c_str(), RENAME_NOREPLACE) == 0) return;
    int err = errno;
    // A filesystem that cannot honour the flag says EINVAL: ntfs-3g (FUSE without rename2),
    // the way the live ISO mounts NTFS drives. There the name is checked first, then renamed.
    if (err == EINVAL) {
        struct stat st {};
        if (::lstat(full(to).c_str(), &st) == 0)
            err = EEXIST;
        else if (errno != ENOENT)
            err = errno;
        else if (::rename(full(from).c_str(), full(to).c_str()) == 0)
            return;
        else
            err = errno;
    }
    throw_errno(ExitCode::io_error, "cannot rename " + full(from) + " to " + full(to), err);
}

void LocalRepository::remove_tree(const std::string& path) {
    std::error_code ec;
    fs::remove_all(full(path), ec);
    if (ec) throw Error(ExitCode::io_error, "cannot remove " + full(path) + ": " + ec.message());
}

void LocalRepository::sync_directory(const std::string& path) {
    int fd = ::open(full(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_errno(ExitCode::io_error, full(path), errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) throw_errno(ExitCode::io_error, full(path) + ": flushing to disk failed", err);
}

}  // namespace kura
