#include "device/device.h"

#include "core/error.h"

#include <cerrno>
#include <vector>

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kura {

Device Device::open(const std::string& path, Access access, Role role) {
    const ExitCode unusable = role == Role::source ? ExitCode::source_unsupported : ExitCode::target_refused;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        int err = errno;
        throw Error(unusable,
                    errno_text(path, err));
    }
    bool block = S_ISBLK(st.st_mode);
    if (!block && !S_ISREG(st.st_mode))
        throw Error(unusable,
                    path + ": not a block device or a regular file");

    int flags = O_CLOEXEC | (access == Access::read_only ? O_RDONLY : O_RDWR);
    if (block && access == Access::read_write) flags |= O_EXCL;
    int fd = ::open(path.c_str(), flags);
    if (fd < 0) {
        int err = errno;
        if (err == EBUSY)
            throw Error(ExitCode::target_refused,
                        path + ": the device is busy (mounted, or used by another driver such as "
                               "LVM, RAID or multipath); refusing to write to it");
        throw Error(unusable,
                    errno_text(path, err));
    }
    Device d;
    d.path_ = path;
    d.fd_ = fd;
    d.is_block_ = block;
    if (block) {
        std::uint64_t bytes = 0;
        if (ioctl(fd, BLKGETSIZE64, &bytes) != 0) {
            int err = errno;
            ::close(fd);
            d.fd_ = -1;
            throw_errno(ExitCode::io_error, path + ": cannot read the device size", err);
        }
        d.size_ = bytes;
    } else {
        d.size_ = static_cast<std::uint64_t>(st.st_size);
    }
    return d;
}

Device::Device(Device&& other) noexcept { *this = std::move(other); }

Device& Device::operator=(Device&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        path_ = std::move(other.path_);
        fd_ = other.fd_;
        is_block_ = other.is_block_;
        zeroes_offload_ok_ = other.zeroes_offload_ok_;
        size_ = other.size_;
        other.fd_ = -1;
    }
    return *this;
}

Device::~Device() {
    if (fd_ >= 0) ::close(fd_);
}

void Device::read_at(void* buffer, std::size_t length, std::uint64_t offset) const {
    auto* p = static_cast<char*>(buffer);
    while (length > 0) {
        ssize_t n = ::pread(fd_, p, length, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno(ExitCode::io_error, path_ + ": read failed at byte " + std::to_string(offset), errno);
        }
        if (n == 0)
            throw Error(ExitCode::io_error,
                        path_ + ": unexpected end of device at byte " + std::to_string(offset));
        p += n;
        length -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

void Device::write_at(const void* buffer, std::size_t length, std::uint64_t offset) {
    const auto* p = static_cast<const char*>(buffer);
    while (length > 0) {
        ssize_t n = ::pwrite(fd_, p, length, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno(ExitCode::io_error, path_ + ": write failed at byte " + std::to_string(offset), errno);
        }
        p += n;
        length -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

void Device::write_zeroes(std::uint64_t offset, std::uint64_t length) {
    if (length == 0) return;
    if (zeroes_offload_ok_) {
        int rc;
        if (is_block_) {
            std::uint64_t range[2] = {offset, length};
            rc = ioctl(fd_, BLKZEROOUT, range);
        } else {
            rc = ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                             static_cast<off_t>(length));
        }
        if (rc == 0) return;
        // Unsupported here (or unaligned for this device): write real zeros from now on.
        zeroes_offload_ok_ = false;
    }
    static const std::vector<char> zeros(1 << 20, 0);
    while (length > 0) {
        std::size_t n = length < zeros.size() ? static_cast<std::size_t>(length) : zeros.size();
        write_at(zeros.data(), n, offset);
        offset += n;
        length -= n;
    }
}

void Device::sync() {
    if (::fsync(fd_) != 0) throw_errno(ExitCode::io_error, path_ + ": flushing to disk failed", errno);
}

void Device::advise_sequential() {
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

}  // namespace kura
