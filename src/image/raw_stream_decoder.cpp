#include "image/raw_stream_decoder.h"

#include "core/error.h"

namespace kura {
namespace {

constexpr std::size_t kGroupBytes = 4u << 20;

}  // namespace

RawStreamDecoder::RawStreamDecoder(std::string part, GroupHandler on_group, StartHandler on_start)
    : part_(std::move(part)), on_group_(std::move(on_group)), on_start_(std::move(on_start)) {
    header_.fs_tag = "raw";
    header_.block_size = raw_stream_sector;
    header_.device_size = 0;
    header_.total_blocks = 0;
    header_.used_blocks = 0;
}

void RawStreamDecoder::feed(const std::uint8_t* data, std::size_t length) {
    if (!started_) {
        started_ = true;
        if (on_start_) on_start_(*this);
    }
    while (length > 0) {
        std::size_t take = std::min(length, kGroupBytes - group_.data.size());
        group_.data.insert(group_.data.end(), data, data + take);
        data += take;
        length -= take;
        if (group_.data.size() == kGroupBytes) emit();
    }
}

void RawStreamDecoder::emit() {
    std::uint64_t sectors = group_.data.size() / raw_stream_sector;
    if (sectors == 0) return;
    group_.runs = {{header_.used_blocks, sectors}};
    group_.verified = false;  // nothing in the stream to check it against
    header_.used_blocks += sectors;
    header_.total_blocks = header_.used_blocks;
    header_.device_size = header_.used_blocks * raw_stream_sector;
    BlockGroup out;
    std::swap(out, group_);
    group_.data.reserve(kGroupBytes);
    on_group_(std::move(out));
}

void RawStreamDecoder::finish() {
    if (!started_) {
        started_ = true;
        if (on_start_) on_start_(*this);
    }
    if (group_.data.size() % raw_stream_sector != 0)
        throw Error(ExitCode::image_corrupt, part_ + ": the dd image ends " +
                                                 std::to_string(group_.data.size() % raw_stream_sector) +
                                                 " bytes into a sector (truncated stream)");
    emit();
}

}  // namespace kura
