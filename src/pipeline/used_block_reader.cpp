#include "pipeline/used_block_reader.h"

namespace kura {

UsedBlockReader::UsedBlockReader(const Device& device, const Bitmap& used, std::uint32_t block_size,
                                 const CancelToken& cancel, std::size_t chunk_bytes, std::size_t depth,
                                 std::uint64_t start_block)
    : device_(device),
      used_(used),
      block_size_(block_size),
      cancel_(cancel),
      chunk_blocks_(chunk_bytes / block_size > 0 ? chunk_bytes / block_size : 1),
      start_block_(start_block),
      queue_(depth) {
    thread_ = std::thread([this] { run(); });
}

UsedBlockReader::~UsedBlockReader() {
    queue_.abort();
    if (thread_.joinable()) thread_.join();
}

void UsedBlockReader::run() {
    try {
        BlockChunk chunk;
        chunk.data.resize(chunk_blocks_ * block_size_);
        std::uint64_t pos = start_block_;
        while (auto run = used_.next_run(pos)) {
            std::uint64_t block = run->start, left = run->length;
            while (left > 0) {
                std::uint64_t n = std::min<std::uint64_t>(left, chunk_blocks_ - chunk.blocks);
                device_.read_at(chunk.data.data() + chunk.blocks * block_size_, n * block_size_,
                                block * block_size_);
                chunk.blocks += n;
                block += n;
                left -= n;
                if (chunk.blocks == chunk_blocks_) {
                    cancel_.throw_if_requested();
                    chunk.next_block = block;
                    if (!queue_.push(std::move(chunk))) return;
                    chunk = BlockChunk{};
                    chunk.data.resize(chunk_blocks_ * block_size_);
                }
            }
            pos = run->start + run->length;
        }
        if (chunk.blocks > 0) {
            chunk.next_block = pos;
            chunk.data.resize(chunk.blocks * block_size_);
            queue_.push(std::move(chunk));
        }
    } catch (...) {
        error_.capture(std::current_exception());
    }
    queue_.close();
}

bool UsedBlockReader::next(BlockChunk& chunk) {
    auto item = queue_.pop();
    if (!item) {
        error_.rethrow_if_any();
        return false;
    }
    chunk = std::move(*item);
    return true;
}

}  // namespace kura
