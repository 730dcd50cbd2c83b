// Checkpoints of a partition's save: every so often the output so far is made durable and
// the save reports where it stands, so that a later run can continue from there instead of
// starting the image again (`saveparts --resume`; docs/image-format.md, "Resuming").
#pragma once

#include "image/partclone_encoder.h"
#include "image/split_files.h"

#include <cstdint>
#include <functional>
#include <string>

namespace kura {

// Where one partition's save can continue from. Everything before it is in the pieces and
// durable; nothing in the stream depends on compressor state from before it, because the
// compressed frame ended there.
struct PartitionCheckpoint {
    EncoderPosition encoder;        // Partclone stream: blocks written, CRC group and register
    std::uint64_t next_block = 0;   // Partclone stream: the bitmap index reading goes on from
    std::uint64_t raw_bytes = 0;    // dd stream: bytes of the partition already copied
    std::uint64_t stream_bytes = 0; // uncompressed stream bytes before this point
    SplitPosition output;           // the data pieces
};

struct Checkpointing {
    // About this many compressed bytes between checkpoints; 0 = none.
    std::uint64_t interval = 0;
    // Continue the stream from here; nullptr starts it.
    const PartitionCheckpoint* resume_from = nullptr;
    // Called (on the saving thread) each time the data up to `checkpoint` is durable; this is
    // where the caller records it. An exception from it ends the save.
    std::function<void(const PartitionCheckpoint& checkpoint)> on_checkpoint;
};

// 64 MiB: what a crash can cost is about this much compressed output to redo, and the cost
// of a checkpoint (ending a frame, draining, fsync / COMMIT, a small journal) is paid this
// rarely. KURA_CHECKPOINT_BYTES (bytes; 0 = no checkpoints) overrides it, read by the
// fronts (SaveSettings::checkpoint_bytes): it exists so the tests can interrupt small
// volumes after several checkpoints, and to measure their cost.
inline constexpr std::uint64_t kDefaultCheckpointBytes = 64ull << 20;

// KURA_CHECKPOINT_BYTES's value as a number of bytes; Error(usage) naming the variable
// for anything but digits.
std::uint64_t parse_checkpoint_bytes(const std::string& text);

}  // namespace kura
