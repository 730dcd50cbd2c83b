// Writes verified block groups onto the restore target. Two things beyond pwrite:
//  - stretches of zero blocks become holes (regular files) or BLKZEROOUT (devices), so
//    zero-filled data costs no write bandwidth and a file target stays sparse;
//  - the used blocks of the first MiB (where every filesystem keeps its signature) are
//    cleared first and written last, so a restore that fails midway leaves a target no one
//    mistakes for a good filesystem.
#pragma once

#include "core/bitmap.h"
#include "device/device.h"
#include "image/block_group.h"

#include <cstdint>
#include <map>
#include <vector>

namespace kura {

class TargetWriter {
public:
    TargetWriter(Device& target, std::uint32_t block_size, std::uint64_t head_bytes = 1u << 20);

    // Before the first group: clears the head's used blocks - all of the head when the
    // stream does not say up front which blocks it holds (`used` is nullptr).
    void begin(const Bitmap* used, std::uint64_t total_blocks);
    void write(const BlockGroup& group);
    // After the last group passed its checksum: the head, then a flush to stable storage.
    void finish();

    std::uint64_t zeroed_bytes() const { return zeroed_bytes_; }

private:
    void write_run(std::uint64_t first_block, const std::uint8_t* data, std::uint64_t count);
    Device& target_;
    std::uint64_t block_size_;
    std::uint64_t head_blocks_;
    std::map<std::uint64_t, std::vector<std::uint8_t>> head_;  // block -> bytes
    std::uint64_t zeroed_bytes_ = 0;
};

// True when all `length` bytes are zero.
bool is_all_zero(const std::uint8_t* data, std::size_t length);

}  // namespace kura
