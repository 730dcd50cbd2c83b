// The output side of one partition's save: compressor -> writer thread -> split pieces in
// the repository. It can be checkpointed (the compressed frame ends, the writer thread
// drains, the current piece is made durable) and it can continue pieces an interrupted run
// left at such a checkpoint.
#pragma once

#include "codec/codec.h"
#include "core/stage_thread.h"
#include "image/split_files.h"
#include "storage/repository.h"

#include <cstdint>
#include <memory>
#include <string>

namespace kura {

class StreamOutput {
public:
    // `resume_at` null: new pieces `base`[.aa ...]; otherwise the ones a checkpoint recorded.
    StreamOutput(Repository& repo, const std::string& dir, const std::string& base, std::uint64_t piece_bytes,
                 const Codec& codec, const CompressOptions& options, const SplitPosition* resume_at = nullptr);
    ~StreamOutput();
    StreamOutput(const StreamOutput&) = delete;
    StreamOutput& operator=(const StreamOutput&) = delete;

    // Where the uncompressed stream is written.
    ByteSink& input() { return input_; }

    // True once about `interval` compressed bytes came out since the last checkpoint - or
    // 16 times as much went in, so that a stretch of zeros, which compresses to almost
    // nothing, does not go on for ever without one.
    bool checkpoint_due(std::uint64_t interval) const;
    // Makes everything written so far durable and says where the pieces stand.
    SplitPosition checkpoint();
    // Ends the stream: the last frame, the last piece, all durable.
    void close();
    const std::vector<StoredFile>& files() const { return pieces_.files(); }

private:
    // Counts the bytes that pass through it.
    class Counter : public ByteSink {
    public:
        void attach(ByteSink& next) { next_ = &next; }
        void write(const void* data, std::size_t length) override {
            next_->write(data, length);
            bytes += length;
        }
        void close() override { next_->close(); }
        std::uint64_t bytes = 0;

    private:
        ByteSink* next_ = nullptr;
    };

    SplitWriter pieces_;
    ThreadedSink writer_;
    Counter output_;
    std::unique_ptr<Compressor> compressor_;
    Counter input_;
    std::uint64_t output_at_checkpoint_ = 0, input_at_checkpoint_ = 0;
};

}  // namespace kura
