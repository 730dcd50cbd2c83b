// Parses a Partclone stream (v2, or legacy v1) fed in arbitrary pieces, verifies every
// checksum, and hands out the used blocks in groups that have already passed their checksum,
// so a restore never writes a block that failed verification.
#pragma once

#include "core/bitmap.h"
#include "image/block_group.h"
#include "image/partclone_header.h"
#include "image/stream_decoder.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kura {

class PartcloneDecoder : public StreamDecoder {
public:
    using BitmapHandler = StreamDecoder::StartHandler;

    // `part` names the partition in error messages. `on_bitmap` runs once the bitmap has
    // passed its checksum, before the first group is handed out.
    PartcloneDecoder(std::string part, GroupHandler on_group, BitmapHandler on_bitmap = {});

    void feed(const std::uint8_t* data, std::size_t length) override;
    // Throws Error(image_corrupt) if the stream ended before its last block and checksum.
    void finish() override;

    bool header_ready() const override { return phase_ > Phase::header; }
    bool bitmap_ready() const { return phase_ > Phase::bitmap_tail; }
    const PartcloneHeader& header() const override { return header_; }
    const Bitmap* used_map() const override { return &bitmap_; }
    const Bitmap& bitmap() const { return bitmap_; }
    std::uint64_t used_blocks() const override { return used_blocks_; }
    std::uint64_t blocks_done() const { return blocks_done_; }
    std::uint64_t trailing_bytes() const override { return trailing_bytes_; }

private:
    enum class Phase { header, bitmap, bitmap_tail, data, checksum, done };

    std::size_t take_staged(const std::uint8_t*& p, std::size_t& n, std::size_t want);
    void on_header();
    void on_bitmap();
    void on_bitmap_tail();
    void feed_data(const std::uint8_t*& p, std::size_t& n);
    void block_completed(std::uint64_t count);
    void on_checksum();
    void account_crc();
    void emit_group(bool verified);
    void start_data();
    [[noreturn]] void corrupt(const std::string& what) const;

    std::string part_;
    GroupHandler on_group_;
    BitmapHandler on_bitmap_;
    Phase phase_ = Phase::header;
    std::vector<std::uint8_t> stage_;
    std::size_t need_ = partclone_version_probe_size;
    PartcloneHeader header_;
    Bitmap bitmap_;
    std::uint64_t used_blocks_ = 0;

    // Data phase.
    bool checksums_ = true;
    std::uint64_t group_capacity_ = 0;   // bytes kept before handing a group out
    BlockGroup group_;
    std::size_t crc_from_ = 0;           // offset in group_.data not yet fed to the CRC
    std::uint32_t crc_state_ = 0;
    std::uint64_t crc_group_first_ = 0;  // first block of the current checksum group
    std::uint64_t in_crc_group_ = 0;
    std::uint64_t next_block_ = 0;       // next used block to place
    std::uint64_t last_block_ = 0;       // the block placed last
    std::uint64_t run_left_ = 0;
    std::size_t partial_ = 0;            // bytes of a block received so far
    std::uint64_t blocks_done_ = 0;
    std::uint64_t trailing_bytes_ = 0;
};

}  // namespace kura
