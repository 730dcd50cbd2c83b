#include "image/partclone_decoder.h"

#include "core/checked_math.h"
#include "core/crc32.h"
#include "core/error.h"

#include <algorithm>
#include <cstring>

namespace kura {
namespace {

constexpr char kV1BitmapMagic[8] = {'B', 'i', 'T', 'm', 'A', 'g', 'I', 'c'};
// Groups up to this size are held until their checksum passes; a stream with larger groups
// (or none) is handed out in pieces of kUnverifiedPiece.
constexpr std::uint64_t kMaxHeldGroup = 64ull << 20;
constexpr std::uint64_t kMinGroupBuffer = 8ull << 20;
constexpr std::uint64_t kUnverifiedPiece = 16ull << 20;

}  // namespace

PartcloneDecoder::PartcloneDecoder(std::string part, GroupHandler on_group, BitmapHandler on_bitmap)
    : part_(std::move(part)), on_group_(std::move(on_group)), on_bitmap_(std::move(on_bitmap)) {}

void PartcloneDecoder::corrupt(const std::string& what) const {
    throw Error(ExitCode::image_corrupt, part_ + ": " + what);
}

std::size_t PartcloneDecoder::take_staged(const std::uint8_t*& p, std::size_t& n, std::size_t want) {
    std::size_t take = std::min(n, want - stage_.size());
    stage_.insert(stage_.end(), p, p + take);
    p += take;
    n -= take;
    return stage_.size() == want;
}

void PartcloneDecoder::feed(const std::uint8_t* p, std::size_t n) {
    for (;;) {
        switch (phase_) {
            case Phase::header:
                if (!take_staged(p, n, need_)) return;
                if (need_ == partclone_version_probe_size) {
                    int format = partclone_format_of(stage_.data(), stage_.size());
                    if (format == 0) corrupt("this is neither a Partclone nor an ntfsclone image (no 'partclone-image' magic)");
                    need_ = format == 2 ? partclone_v2_header_size : partclone_v1_header_size;
                    continue;
                }
                on_header();
                continue;
            case Phase::bitmap:
                if (!take_staged(p, n, need_)) return;
                on_bitmap();
                continue;
            case Phase::bitmap_tail:
                if (!take_staged(p, n, need_)) return;
                on_bitmap_tail();
                continue;
            case Phase::data:
                if (n == 0) return;
                feed_data(p, n);
                continue;
            case Phase::checksum:
                if (!take_staged(p, n, need_)) return;
                on_checksum();
                continue;
            case Phase::done:
                trailing_bytes_ += n;
                // Partclone writes nothing after the last block of a stream without
                // checksums; bytes there are a stream whose checksums the header denies.
                if (n > 0 && !checksums_)
                    corrupt("data follows the last used block, but field checksum_mode says the stream carries "
                            "no checksums (a stream with checksums relabelled as having none?)");
                return;
        }
    }
}

void PartcloneDecoder::on_header() {
    try {
        header_ = stage_.size() == partclone_v2_header_size ? decode_partclone_v2(stage_.data())
                                                            : decode_partclone_v1(stage_.data());
    } catch (const Error& e) {
        corrupt(e.what());  // the same message, naming the partition
    }
    stage_.clear();
    // v2 stores one bit per block, v1 one byte per block. The header check bounds
    // total_blocks (2^43), so neither count wraps; the bytes are staged as they arrive,
    // so a header promising more than the stream holds costs no memory up front.
    need_ = static_cast<std::size_t>(header_.format == 2 ? bytes_for_bits(header_.total_blocks) : header_.total_blocks);
    phase_ = Phase::bitmap;
}

void PartcloneDecoder::on_bitmap() {
    if (header_.format == 2) {
        try {
            bitmap_ = Bitmap::from_bytes(stage_.data(), stage_.size(), header_.total_blocks);
        } catch (const Error& e) {
            corrupt(e.what());
        }
        crc_state_ = crc32_update(crc32_partclone_seed, stage_.data(), stage_.size());
        need_ = 4;
    } else {
        bitmap_ = Bitmap(header_.total_blocks);
        for (std::size_t i = 0; i < stage_.size(); ++i)
            if (stage_[i]) bitmap_.set(i);
        need_ = sizeof kV1BitmapMagic;
    }
    stage_.clear();
    phase_ = Phase::bitmap_tail;
}

void PartcloneDecoder::on_bitmap_tail() {
    if (header_.format == 2) {
        std::uint32_t stored;
        std::memcpy(&stored, stage_.data(), 4);
        if (stored != crc_state_) corrupt("the block bitmap fails its checksum");
    } else if (std::memcmp(stage_.data(), kV1BitmapMagic, sizeof kV1BitmapMagic) != 0) {
        corrupt("the v1 bitmap is not followed by its end marker");
    }
    stage_.clear();
    start_data();
    if (on_bitmap_) on_bitmap_(*this);
}

void PartcloneDecoder::start_data() {
    used_blocks_ = bitmap_.count();
    checksums_ = header_.checksum_mode != partclone_checksum_none;
    std::uint64_t group_bytes = static_cast<std::uint64_t>(header_.blocks_per_checksum) * header_.block_size;
    if (!checksums_ || group_bytes > kMaxHeldGroup)
        group_capacity_ = std::max<std::uint64_t>(kUnverifiedPiece, header_.block_size);
    else
        group_capacity_ = std::max(group_bytes, kMinGroupBuffer);
    group_.data.reserve(group_capacity_);
    crc_state_ = crc32_partclone_seed;
    if (used_blocks_ == 0) {
        phase_ = Phase::done;
        return;
    }
    auto run = bitmap_.next_run(0);
    next_block_ = run->start;
    run_left_ = run->length;
    phase_ = Phase::data;
}

void PartcloneDecoder::feed_data(const std::uint8_t*& p, std::size_t& n) {
    const std::size_t bs = header_.block_size;
    while (n > 0 && phase_ == Phase::data) {
        if (partial_ > 0 || n < bs) {
            std::size_t take = std::min(n, bs - partial_);
            group_.data.insert(group_.data.end(), p, p + take);
            partial_ += take;
            p += take;
            n -= take;
            if (partial_ == bs) {
                partial_ = 0;
                block_completed(1);
            }
            continue;
        }
        std::uint64_t k = n / bs;
        k = std::min(k, used_blocks_ - blocks_done_);
        if (checksums_) k = std::min<std::uint64_t>(k, header_.blocks_per_checksum - in_crc_group_);
        std::uint64_t room = (group_capacity_ - std::min<std::uint64_t>(group_capacity_, group_.data.size())) / bs;
        k = std::min(k, std::max<std::uint64_t>(room, 1));
        group_.data.insert(group_.data.end(), p, p + k * bs);
        p += k * bs;
        n -= static_cast<std::size_t>(k * bs);
        block_completed(k);
    }
}

void PartcloneDecoder::block_completed(std::uint64_t count) {
    const std::uint64_t bs = header_.block_size;
    if (in_crc_group_ == 0) crc_group_first_ = next_block_;
    if (header_.format == 1) {
        // v1 checksums every block (count is 1 here), over its first byte repeated.
        crc_state_ = crc32_update_v1_block(crc_state_, group_.data[group_.data.size() - bs],
                                           static_cast<std::uint32_t>(bs));
    }
    for (std::uint64_t left = count; left > 0;) {
        std::uint64_t take = std::min(left, run_left_);
        if (!group_.runs.empty() && group_.runs.back().first_block + group_.runs.back().count == next_block_)
            group_.runs.back().count += take;
        else
            group_.runs.push_back({next_block_, take});
        next_block_ += take;
        last_block_ = next_block_ - 1;
        run_left_ -= take;
        left -= take;
        if (run_left_ == 0) {
            if (auto run = bitmap_.next_run(next_block_)) {
                next_block_ = run->start;
                run_left_ = run->length;
            }
        }
    }
    in_crc_group_ += count;
    blocks_done_ += count;

    bool last = blocks_done_ == used_blocks_;
    if (checksums_ && (in_crc_group_ == header_.blocks_per_checksum || last)) {
        phase_ = Phase::checksum;
        need_ = 4;
        return;
    }
    if (last) {
        emit_group(false);
        phase_ = Phase::done;
        return;
    }
    if (group_.data.size() + bs > group_capacity_) {
        account_crc();
        emit_group(false);
    }
}

void PartcloneDecoder::account_crc() {
    if (header_.format != 2 || !checksums_) return;
    crc_state_ = crc32_update(crc_state_, group_.data.data() + crc_from_, group_.data.size() - crc_from_);
    crc_from_ = group_.data.size();
}

void PartcloneDecoder::on_checksum() {
    account_crc();
    std::uint32_t stored;
    std::memcpy(&stored, stage_.data(), 4);
    stage_.clear();
    if (stored != crc_state_) {
        corrupt("checksum mismatch in the data of blocks " + std::to_string(crc_group_first_) + " to block " +
                std::to_string(last_block_) + " (block size " + std::to_string(header_.block_size) +
                "): the image is damaged");
    }
    if (header_.reseed) crc_state_ = crc32_partclone_seed;
    in_crc_group_ = 0;
    if (blocks_done_ == used_blocks_) {
        emit_group(true);
        phase_ = Phase::done;
        return;
    }
    phase_ = Phase::data;
    std::uint64_t group_bytes = static_cast<std::uint64_t>(header_.blocks_per_checksum) * header_.block_size;
    if (group_.data.size() + group_bytes > group_capacity_) emit_group(true);
}

void PartcloneDecoder::emit_group(bool verified) {
    if (group_.data.empty()) return;
    group_.verified = verified;
    on_group_(std::move(group_));
    group_ = BlockGroup{};
    group_.data.reserve(group_capacity_);
    crc_from_ = 0;
}

void PartcloneDecoder::finish() {
    if (phase_ == Phase::done) return;
    if (phase_ < Phase::data) corrupt("the image ends inside its header or bitmap (truncated image?)");
    corrupt("the image ends early: " + std::to_string(blocks_done_) + " of " + std::to_string(used_blocks_) +
            " used blocks are present (truncated image or missing split piece)");
}

}  // namespace kura
