#include "repo/local_repository.h"

#include "core/error.h"

#include <algorithm>
#include <cerrno>
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
    struct stat st {};
    if (::stat(full(path).c_str(), &st) != 0) throw_errno(ExitCode::image_not_found, full(path), errno);
    return static_cast<std::uint64_t>(st.st_size);
}

std::uint64_t LocalRepository::free_bytes() const {
    struct statvfs sv {};
    if (::statvfs(root_.c_str(), &sv) != 0) return 0;
    return static_cast<std::uint64_t>(sv.f_bavail) * sv.f_frsize;
}

void LocalRepository::make_directory(const std::string& path) {
    if (::mkdir(full(path).c_str(), 0755) != 0)
        throw_errno(ExitCode::io_error, "cannot create " + full(path), errno);
}

std::unique_ptr<WritableFile> LocalRepository::create_file(const std::string& path) {
    int fd = ::open(full(path).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw_errno(ExitCode::io_error, "cannot create " + full(path), errno);
    return std::make_unique<LocalFileSink>(fd, full(path));
}

std::unique_ptr<WritableFile> LocalRepository::reopen_file(const std::string& path, std::uint64_t keep_bytes) {
    int fd = ::open(full(path).c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        throw_errno(err == ENOENT ? ExitCode::image_not_found : ExitCode::io_error, "cannot open " + full(path), err);
    }
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
    int fd = ::open(full(path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        throw_errno(err == ENOENT ? ExitCode::image_not_found : ExitCode::io_error, full(path), err);
    }
    return std::make_unique<LocalFileSource>(fd, full(path));
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
