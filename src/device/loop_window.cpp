#include "device/loop_window.h"

#include "core/error.h"
#include "core/log.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <thread>
#include <unistd.h>

namespace kura {
namespace {

ExitCode code_for(Role role) { return role == Role::target ? ExitCode::target_refused : ExitCode::io_error; }

}  // namespace

LoopWindow::LoopWindow(const std::string& file, std::uint64_t offset, std::uint64_t size, Access access, Role role) {
    const int mode = access == Access::read_write ? O_RDWR : O_RDONLY;
    int file_fd = ::open(file.c_str(), mode | O_CLOEXEC);
    if (file_fd < 0) throw_errno(code_for(role), "cannot open " + file, errno);
    int control = ::open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (control < 0) {
        int err = errno;
        ::close(file_fd);
        throw_errno(code_for(role), "cannot reach /dev/loop-control to give a partition of " + file + " a device", err);
    }
    // Another process may take the free device between asking and attaching: ask again.
    for (int attempt = 0; attempt < 16 && fd_ < 0; ++attempt) {
        int number = ::ioctl(control, LOOP_CTL_GET_FREE);
        if (number < 0) break;
        std::string path = "/dev/loop" + std::to_string(number);
        int loop_fd = ::open(path.c_str(), mode | O_CLOEXEC);
        if (loop_fd < 0) {
            // udev may not have made the node yet.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        loop_config config{};
        config.fd = static_cast<std::uint32_t>(file_fd);
        config.info.lo_offset = offset;
        config.info.lo_sizelimit = size;
        // Autoclear: the kernel detaches the device when its last opener closes it - this
        // object's descriptor, normally, but also when kura is killed (SIGKILL runs no
        // destructor, and a loop device left attached would pin the image file).
        config.info.lo_flags = LO_FLAGS_AUTOCLEAR | (access == Access::read_only ? LO_FLAGS_READ_ONLY : 0);
        std::strncpy(reinterpret_cast<char*>(config.info.lo_file_name), file.c_str(), LO_NAME_SIZE - 1);
        if (::ioctl(loop_fd, LOOP_CONFIGURE, &config) == 0) {
            fd_ = loop_fd;
            path_ = path;
            writable_ = access == Access::read_write;
            break;
        }
        int err = errno;
        ::close(loop_fd);
        if (err != EBUSY) {
            ::close(control);
            ::close(file_fd);
            throw_errno(code_for(role), "cannot attach a loop device to " + file, err);
        }
    }
    ::close(control);
    ::close(file_fd);  // the loop device holds its own reference to the file
    if (fd_ < 0) throw Error(code_for(role), "no free loop device to reach a partition of " + file);
}

LoopWindow::LoopWindow(LoopWindow&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), writable_(other.writable_) {
    other.fd_ = -1;
}

LoopWindow::~LoopWindow() {
    if (fd_ < 0) return;
    // What a tool wrote through the device and did not flush itself (fsck.fat closes
    // without fsync) is still in the device's page cache, which detaching throws away:
    // write it to the file first. fsync of the device flushes every writer's pages.
    if (writable_ && ::fsync(fd_) != 0) log::warn(errno_text("cannot flush " + path_, errno));
    // Autoclear detaches it once this last descriptor is closed; asking explicitly as well
    // makes that happen now even if a prober still holds the device for a moment.
    ::ioctl(fd_, LOOP_CLR_FD);
    ::close(fd_);
}

}  // namespace kura
