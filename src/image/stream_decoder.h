// The read side of a partition's data stream, whatever tool wrote it: Partclone (v1/v2,
// what kura and current Clonezilla write) or ntfsclone's special image (what Clonezilla
// wrote for NTFS before partclone). Both decode into the same verified block groups, so
// restore, check and the target writer do not care which one an image holds.
#pragma once

#include "core/bitmap.h"
#include "image/block_group.h"
#include "image/partclone_header.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace kura {

class StreamDecoder {
public:
    using GroupHandler = std::function<void(BlockGroup&&)>;
    // Runs once, when the geometry is known and before the first group is handed out.
    using StartHandler = std::function<void(const StreamDecoder&)>;

    virtual ~StreamDecoder() = default;
    virtual void feed(const std::uint8_t* data, std::size_t length) = 0;
    // Throws Error(image_corrupt) if the stream ended early.
    virtual void finish() = 0;

    virtual bool header_ready() const = 0;
    // The stream's geometry in Partclone's terms (block size, device size, used count);
    // formats without a Partclone header fill in what they know.
    virtual const PartcloneHeader& header() const = 0;
    // The used blocks, when the format lists them before the data (Partclone does,
    // ntfsclone does not): nullptr otherwise.
    virtual const Bitmap* used_map() const = 0;
    virtual std::uint64_t used_blocks() const = 0;
    virtual std::uint64_t trailing_bytes() const = 0;
};

// A decoder that looks at the first bytes of the decompressed stream and becomes the
// matching one; an unknown magic is Error(image_corrupt) naming `part`.
std::unique_ptr<StreamDecoder> make_stream_decoder(std::string part, StreamDecoder::GroupHandler on_group,
                                                   StreamDecoder::StartHandler on_start = {});

}  // namespace kura
