// A sparse image file made by the real mkfs.xfs for the XFS unit tests, removed afterwards,
// and small helpers to damage it on purpose: big-endian pokes and a v5 CRC fix-up, so a
// test reaches the check it aims at instead of stopping at the CRC.
#pragma once

#include "core/crc32c.h"
#include "core/run_tool.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace kura::xfs_test {

class XfsImage {
public:
    // `size` like truncate's ("512M", "4T"); `mkfs_args` go before the file name.
    XfsImage(const std::string& size, const std::vector<std::string>& mkfs_args = {}) {
        char name[] = "/var/tmp/kura-xfs-unit-XXXXXX";
        const int fd = ::mkstemp(name);
        if (fd < 0) throw std::runtime_error("mkstemp failed");
        ::close(fd);
        path_ = name;
        run_tool_checked({"truncate", "-s", size, path_});
        // -K: no discard (a sparse file stays sparse); -f: the file is ours to overwrite.
        std::vector<std::string> argv{"mkfs.xfs", "-q", "-f", "-K"};
        argv.insert(argv.end(), mkfs_args.begin(), mkfs_args.end());
        argv.push_back(path_);
        run_tool_checked(argv);
    }
    ~XfsImage() { std::remove(path_.c_str()); }
    XfsImage(const XfsImage&) = delete;
    XfsImage& operator=(const XfsImage&) = delete;

    const std::string& path() const { return path_; }

    std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) const {
        std::vector<std::uint8_t> b(length);
        const int fd = ::open(path_.c_str(), O_RDONLY);
        const ssize_t n = ::pread(fd, b.data(), length, static_cast<off_t>(offset));
        ::close(fd);
        if (n != static_cast<ssize_t>(length)) throw std::runtime_error("short read");
        return b;
    }
    // Every write keeps what it overwrote, so undo() can give the next test a pristine image
    // without another mkfs (each writes a 64 MiB log).
    void write(std::uint64_t offset, const std::vector<std::uint8_t>& b) {
        journal_.push_back({offset, read(offset, b.size())});
        raw_write(offset, b);
    }
    void undo() {
        for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) raw_write(it->first, it->second);
        journal_.clear();
    }
    void raw_write(std::uint64_t offset, const std::vector<std::uint8_t>& b) const {
        const int fd = ::open(path_.c_str(), O_WRONLY);
        const ssize_t n = ::pwrite(fd, b.data(), b.size(), static_cast<off_t>(offset));
        ::close(fd);
        if (n != static_cast<ssize_t>(b.size())) throw std::runtime_error("short write");
    }
    std::uint32_t get32(std::uint64_t offset) const {
        auto b = read(offset, 4);
        return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
    }
    void put(std::uint64_t offset, std::uint64_t value, int bytes) {
        std::vector<std::uint8_t> b(bytes);
        for (int i = 0; i < bytes; ++i) b[i] = static_cast<std::uint8_t>(value >> (8 * (bytes - 1 - i)));
        write(offset, b);
    }
    // Recomputes the little-endian CRC32C at `crc_offset` of the `length` bytes at `start`.
    void fix_crc(std::uint64_t start, std::size_t length, std::size_t crc_offset) {
        auto b = read(start, length);
        for (int i = 0; i < 4; ++i) b[crc_offset + i] = 0;
        const std::uint32_t crc = crc32c(b.data(), b.size());
        write(start + crc_offset, {static_cast<std::uint8_t>(crc), static_cast<std::uint8_t>(crc >> 8),
                                   static_cast<std::uint8_t>(crc >> 16), static_cast<std::uint8_t>(crc >> 24)});
    }

private:
    std::string path_;
    std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>> journal_;
};

}  // namespace kura::xfs_test
