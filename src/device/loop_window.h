// A window onto part of a regular file as a block device: a loop device the engine
// attaches itself, with an offset and a size limit. A partition inside a disk image file
// has no device node of its own, yet libext2fs, libntfs-3g, libblkid, mkswap and resize2fs
// all want one; the window gives it one. Detached when the object goes away.
#pragma once

#include "device/device.h"

#include <cstdint>
#include <string>

namespace kura {

class LoopWindow {
public:
    // Throws Error(io_error / target_refused by role) naming the file and the reason.
    LoopWindow(const std::string& file, std::uint64_t offset, std::uint64_t size, Access access, Role role);
    LoopWindow(LoopWindow&& other) noexcept;
    LoopWindow& operator=(LoopWindow&&) = delete;
    LoopWindow(const LoopWindow&) = delete;
    LoopWindow& operator=(const LoopWindow&) = delete;
    ~LoopWindow();

    const std::string& path() const { return path_; }  // /dev/loopN

private:
    std::string path_;
    int fd_ = -1;  // held open so the device stays ours until detached
    bool writable_ = false;
};

}  // namespace kura
