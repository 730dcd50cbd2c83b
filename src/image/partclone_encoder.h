// Frames used blocks as a Partclone v2 stream: header, bitmap, bitmap CRC, then the blocks
// with a CRC32 after every `blocks_per_checksum` blocks and after the last partial group.
#pragma once

#include "core/bitmap.h"
#include "core/byte_stream.h"
#include "image/partclone_header.h"

#include <cstdint>
#include <vector>

namespace kura {

// How far an encoder got: everything a resumed save needs to go on with the same stream.
// The CRC state is Partclone's raw 32-bit register, so a checkpoint can fall anywhere
// between blocks, also inside a checksum group (and without reseeding).
struct EncoderPosition {
    std::uint64_t blocks_written = 0;  // used blocks emitted so far
    std::uint64_t in_group = 0;        // of those, how many since the last stored CRC
    std::uint32_t crc_state = 0;       // the register after them
};

class PartcloneEncoder {
public:
    PartcloneEncoder(PartcloneHeader header, const Bitmap& bitmap);

    // Header, bitmap and the bitmap's CRC.
    void write_preamble(ByteSink& out) const;
    // `count` whole blocks, in ascending block order, exactly the bitmap's used blocks.
    void write_blocks(const std::uint8_t* data, std::uint64_t count, ByteSink& out);
    // The CRC of the last partial group; throws if fewer blocks came than the bitmap holds.
    void finish(ByteSink& out);

    const PartcloneHeader& header() const { return header_; }

    EncoderPosition position() const { return {written_, in_group_, state_}; }
    // Bytes of the stream so far: preamble, blocks and stored CRCs.
    std::uint64_t stream_bytes() const;
    // Continues a stream whose preamble and blocks up to `at` an earlier run wrote (instead
    // of write_preamble()). Throws Error(internal) for a position this stream cannot have.
    void resume(const EncoderPosition& at);

private:
    void emit_checksum(ByteSink& out);
    PartcloneHeader header_;
    const Bitmap& bitmap_;
    std::uint32_t state_;
    std::uint64_t in_group_ = 0;
    std::uint64_t written_ = 0;
};

}  // namespace kura
