#include "image/stream_decoder.h"

#include "core/error.h"
#include "image/ntfsclone_decoder.h"
#include "image/partclone_decoder.h"

#include <cstring>
#include <vector>

namespace kura {
namespace {

// Holds the first bytes until the magic says which format this is, then passes everything
// to that format's decoder. Clonezilla's file names hint at the format too ("ntfs-img" is
// ntfsclone, but "<fs>-img" was also old Partclone), so the bytes decide.
class DetectingDecoder : public StreamDecoder {
public:
    DetectingDecoder(std::string part, GroupHandler on_group, StartHandler on_start)
        : part_(std::move(part)), on_group_(std::move(on_group)), on_start_(std::move(on_start)) {}

    void feed(const std::uint8_t* data, std::size_t length) override {
        if (inner_) return inner_->feed(data, length);
        std::size_t take = std::min(length, sizeof ntfsclone_magic - first_.size());
        first_.insert(first_.end(), data, data + take);
        if (first_.size() < sizeof ntfsclone_magic) return;
        choose();
        inner_->feed(data + take, length - take);
    }
    void finish() override {
        if (!inner_) {
            if (first_.empty()) throw Error(ExitCode::image_corrupt, part_ + ": the image's data stream is empty");
            choose();
        }
        inner_->finish();
    }
    bool header_ready() const override { return inner_ && inner_->header_ready(); }
    const PartcloneHeader& header() const override { return inner().header(); }
    const Bitmap* used_map() const override { return inner().used_map(); }
    std::uint64_t used_blocks() const override { return inner_ ? inner_->used_blocks() : 0; }
    std::uint64_t trailing_bytes() const override { return inner_ ? inner_->trailing_bytes() : 0; }

private:
    const StreamDecoder& inner() const {
        if (!inner_) throw Error(ExitCode::internal, part_ + ": the stream's format is not known yet");
        return *inner_;
    }
    void choose() {
        // The handlers see this object, so callers never depend on which format it was.
        StartHandler start;
        if (on_start_) start = [this](const StreamDecoder&) { on_start_(*this); };
        if (first_.size() == sizeof ntfsclone_magic &&
            std::memcmp(first_.data(), ntfsclone_magic, sizeof ntfsclone_magic) == 0)
            inner_ = std::make_unique<NtfscloneDecoder>(part_, on_group_, start);
        else
            inner_ = std::make_unique<PartcloneDecoder>(part_, on_group_, start);
        inner_->feed(first_.data(), first_.size());
        first_.clear();
    }

    std::string part_;
    GroupHandler on_group_;
    StartHandler on_start_;
    std::vector<std::uint8_t> first_;
    std::unique_ptr<StreamDecoder> inner_;
};

}  // namespace

std::unique_ptr<StreamDecoder> make_stream_decoder(std::string part, StreamDecoder::GroupHandler on_group,
                                                   StreamDecoder::StartHandler on_start) {
    return std::make_unique<DetectingDecoder>(std::move(part), std::move(on_group), std::move(on_start));
}

}  // namespace kura
