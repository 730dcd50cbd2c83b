#include "image/partclone_encoder.h"

#include "core/crc32.h"
#include "core/error.h"

namespace kura {

PartcloneEncoder::PartcloneEncoder(PartcloneHeader header, const Bitmap& bitmap)
    : header_(std::move(header)), bitmap_(bitmap), state_(crc32_partclone_seed) {
    header_.total_blocks = bitmap.size();
    header_.used_blocks = bitmap.count();
}

void PartcloneEncoder::write_preamble(ByteSink& out) const {
    auto head = encode_partclone_v2(header_);
    out.write(head.data(), head.size());
    out.write(bitmap_.bytes(), bitmap_.byte_count());
    std::uint32_t crc = crc32_update(crc32_partclone_seed, bitmap_.bytes(), bitmap_.byte_count());
    out.write(&crc, sizeof crc);
}

std::uint64_t PartcloneEncoder::stream_bytes() const {
    std::uint64_t bytes = partclone_v2_header_size + bitmap_.byte_count() + 4 + written_ * header_.block_size;
    if (header_.checksum_mode != partclone_checksum_none)
        bytes += (written_ - in_group_) / header_.blocks_per_checksum * header_.checksum_size;
    return bytes;
}

void PartcloneEncoder::resume(const EncoderPosition& at) {
    bool checksums = header_.checksum_mode != partclone_checksum_none;
    if (at.blocks_written > header_.used_blocks || (checksums && at.in_group >= header_.blocks_per_checksum) ||
        (!checksums && at.in_group != 0) || at.in_group > at.blocks_written)
        throw Error(ExitCode::internal, "cannot resume a Partclone stream at block " +
                                            std::to_string(at.blocks_written) + " (" + std::to_string(at.in_group) +
                                            " in its checksum group)");
    written_ = at.blocks_written;
    in_group_ = at.in_group;
    state_ = at.crc_state;
}

void PartcloneEncoder::emit_checksum(ByteSink& out) {
    out.write(&state_, sizeof state_);
    in_group_ = 0;
    if (header_.reseed) state_ = crc32_partclone_seed;
}

void PartcloneEncoder::write_blocks(const std::uint8_t* data, std::uint64_t count, ByteSink& out) {
    if (written_ + count > header_.used_blocks)
        throw Error(ExitCode::internal, "more blocks than the bitmap marks used");
    const std::uint64_t bs = header_.block_size;
    if (header_.checksum_mode == partclone_checksum_none) {
        out.write(data, count * bs);
        written_ += count;
        return;
    }
    while (count > 0) {
        std::uint64_t n = header_.blocks_per_checksum - in_group_;
        if (n > count) n = count;
        out.write(data, n * bs);
        state_ = crc32_update(state_, data, n * bs);
        in_group_ += n;
        written_ += n;
        data += n * bs;
        count -= n;
        if (in_group_ == header_.blocks_per_checksum) emit_checksum(out);
    }
}

void PartcloneEncoder::finish(ByteSink& out) {
    if (written_ != header_.used_blocks)
        throw Error(ExitCode::internal, "stream ended after " + std::to_string(written_) + " of " +
                                            std::to_string(header_.used_blocks) + " used blocks");
    if (header_.checksum_mode != partclone_checksum_none && in_group_ > 0) emit_checksum(out);
}

}  // namespace kura
