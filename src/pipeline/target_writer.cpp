#include "pipeline/target_writer.h"

#include "core/error.h"

#include <cstring>

namespace kura {
namespace {

// Shorter zero stretches are written as data: a hole per 4 KiB block would cost more
// in extent bookkeeping than the write it saves.
constexpr std::uint64_t kMinZeroStretch = 64 * 1024;

}  // namespace

bool is_all_zero(const std::uint8_t* p, std::size_t n) {
    if (n == 0) return true;
    return p[0] == 0 && std::memcmp(p, p + 1, n - 1) == 0;
}

TargetWriter::TargetWriter(Device& target, std::uint32_t block_size, std::uint64_t head_bytes)
    : target_(target), block_size_(block_size), head_blocks_((head_bytes + block_size - 1) / block_size) {}

void TargetWriter::begin(const Bitmap* used, std::uint64_t total_blocks) {
    if (!used) {
        std::uint64_t end = std::min(head_blocks_, total_blocks);
        if (end > 0) target_.write_zeroes(0, end * block_size_);
        return;
    }
    std::uint64_t pos = 0;
    while (auto run = used->next_run(pos)) {
        if (run->start >= head_blocks_) break;
        std::uint64_t end = std::min(run->start + run->length, head_blocks_);
        target_.write_zeroes(run->start * block_size_, (end - run->start) * block_size_);
        pos = end;
    }
}

void TargetWriter::write(const BlockGroup& group) {
    const std::uint8_t* p = group.data.data();
    for (const auto& run : group.runs) {
        // Streams whose size is known only at their end (dd) are stopped at the target's end.
        if ((run.first_block + run.count) * block_size_ > target_.size())
            throw Error(ExitCode::target_refused, target_.path() + " ends at byte " +
                                                      std::to_string(target_.size()) +
                                                      "; the image holds data beyond it (the target is too small)");
        std::uint64_t first = run.first_block, count = run.count;
        const std::uint8_t* data = p;
        // Hold back what lies in the head.
        while (count > 0 && first < head_blocks_) {
            head_[first].assign(data, data + block_size_);
            ++first;
            --count;
            data += block_size_;
        }
        write_run(first, data, count);
        p += run.count * block_size_;
    }
}

void TargetWriter::write_run(std::uint64_t first_block, const std::uint8_t* data, std::uint64_t count) {
    const std::uint64_t bs = block_size_;
    auto zero_end = [&](std::uint64_t from) {
        while (from < count && is_all_zero(data + from * bs, bs)) ++from;
        return from;
    };
    std::uint64_t b = 0;
    while (b < count) {
        std::uint64_t z = zero_end(b);
        if ((z - b) * bs >= kMinZeroStretch) {
            target_.write_zeroes((first_block + b) * bs, (z - b) * bs);
            zeroed_bytes_ += (z - b) * bs;
            b = z;
            continue;
        }
        // A data stretch: runs until a zero stretch long enough to skip begins.
        std::uint64_t e = z;
        while (e < count) {
            if (!is_all_zero(data + e * bs, bs)) {
                ++e;
                continue;
            }
            std::uint64_t z2 = zero_end(e);
            if ((z2 - e) * bs >= kMinZeroStretch) break;
            e = z2;
        }
        target_.write_at(data + b * bs, (e - b) * bs, (first_block + b) * bs);
        b = e;
    }
}

void TargetWriter::finish() {
    for (const auto& [block, bytes] : head_) target_.write_at(bytes.data(), bytes.size(), block * block_size_);
    head_.clear();
    target_.sync();
}

}  // namespace kura
