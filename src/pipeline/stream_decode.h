// The read side of an image, shared by restore and check: data files -> decompression ->
// Partclone decoder, each on its own thread, with bounded buffers between.
#pragma once

#include "core/cancel.h"
#include "core/progress.h"
#include "image/image_layout.h"
#include "image/stream_decoder.h"
#include "storage/repository.h"

#include <functional>

namespace kura {

struct DecodedStream {
    PartcloneHeader header;
    std::uint64_t used_blocks = 0;
    std::uint64_t trailing_bytes = 0;
};

// The codec of a partition's stream: from the file name, else from its first bytes.
const Codec& stream_codec(const Repository& repo, const std::string& image_dir, const DataFiles& files);

// Decodes only as far as the header (Partclone's, or ntfsclone's in the same terms) (cheap: for plans and size checks).
PartcloneHeader read_stream_header(const Repository& repo, const std::string& image_dir, const DataFiles& files);

// Decodes the whole stream (Partclone or ntfsclone, told apart by its magic), verifying
// every checksum the format has. `on_start` runs once, when the geometry is known (for
// Partclone: after the bitmap passed its checksum) and before the first group. `cancel`
// (the job's) is polled between buffers.
DecodedStream decode_stream(const Repository& repo, const std::string& image_dir, const DataFiles& files,
                            const StreamDecoder::StartHandler& on_start,
                            const StreamDecoder::GroupHandler& on_group, Progress* progress,
                            const CancelToken& cancel = signal_cancel_token());

}  // namespace kura
