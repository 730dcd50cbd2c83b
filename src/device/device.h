// A block device or a regular file (a VM disk image, a test image) behind one interface:
// sized, read and written at byte offsets with whole-length semantics. Everything above
// this layer is unaware which of the two it has.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kura {

enum class Access {
    read_only,  // never opened for writing (a save's source, a target being inspected)
    read_write  // a restore's target: block devices are opened O_EXCL, so the kernel
                // refuses one that is mounted or held by another driver
};

// What the device is to the operation, so a failure to open it exits with the right code.
enum class Role { source, target };

class Device {
public:
    static Device open(const std::string& path, Access access, Role role);
    Device(Device&& other) noexcept;
    Device& operator=(Device&& other) noexcept;
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;
    ~Device();

    const std::string& path() const { return path_; }
    bool is_block_device() const { return is_block_; }
    std::uint64_t size() const { return size_; }
    int fd() const { return fd_; }

    // Reads exactly `length` bytes or throws Error(io_error) naming the device and offset.
    void read_at(void* buffer, std::size_t length, std::uint64_t offset) const;
    void write_at(const void* buffer, std::size_t length, std::uint64_t offset);
    // Makes [offset, offset+length) read back as zeros without sending the zeros: a hole in
    // a regular file, BLKZEROOUT on a block device; written zeros where neither works.
    void write_zeroes(std::uint64_t offset, std::uint64_t length);
    void sync();
    // Tells the kernel we read front to back, so readahead works for us.
    void advise_sequential();

private:
    Device() = default;
    std::string path_;
    int fd_ = -1;
    bool is_block_ = false;
    bool zeroes_offload_ok_ = true;
    std::uint64_t size_ = 0;
};

}  // namespace kura
