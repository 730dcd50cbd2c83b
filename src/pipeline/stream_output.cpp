#include "pipeline/stream_output.h"

namespace kura {
namespace {

SplitWriter make_pieces(Repository& repo, const std::string& dir, const std::string& base, std::uint64_t piece_bytes,
                        const SplitPosition* resume_at) {
    if (resume_at) return SplitWriter(repo, dir, base, piece_bytes, *resume_at);
    return SplitWriter(repo, dir, base, piece_bytes);
}

}  // namespace

StreamOutput::StreamOutput(Repository& repo, const std::string& dir, const std::string& base,
                           std::uint64_t piece_bytes, const Codec& codec, const CompressOptions& options,
                           const SplitPosition* resume_at)
    : pieces_(make_pieces(repo, dir, base, piece_bytes, resume_at)), writer_(pieces_, 4u << 20, 4) {
    output_.attach(writer_);
    compressor_ = codec.make_compressor(output_, options);
    input_.attach(*compressor_);
}

StreamOutput::~StreamOutput() = default;

bool StreamOutput::checkpoint_due(std::uint64_t interval) const {
    if (interval == 0) return false;
    return output_.bytes - output_at_checkpoint_ >= interval || input_.bytes - input_at_checkpoint_ >= 16 * interval;
}

SplitPosition StreamOutput::checkpoint() {
    compressor_->end_frame();
    writer_.flush();
    pieces_.sync();
    output_at_checkpoint_ = output_.bytes;
    input_at_checkpoint_ = input_.bytes;
    return pieces_.position();
}

void StreamOutput::close() { input_.close(); }

}  // namespace kura
