// Reads a device's used blocks in bitmap order on its own thread: one pread per stretch of
// consecutive used blocks, gathered into large chunks, so the source is read front to back
// in big requests while the caller checksums and compresses the previous chunk.
#pragma once

#include "core/bitmap.h"
#include "core/bounded_queue.h"
#include "core/cancel.h"
#include "core/stage_thread.h"
#include "device/device.h"

#include <cstdint>
#include <thread>

namespace kura {

struct BlockChunk {
    Buffer data;
    std::uint64_t blocks = 0;
    // The bitmap index just past the chunk's last block: where reading would continue, which
    // a save checkpoint records.
    std::uint64_t next_block = 0;
};

class UsedBlockReader {
public:
    // Reads the used blocks at or after bitmap index `start_block` (0: all of them; a
    // resumed save starts where its checkpoint was). Stops between chunks when `cancel`
    // (the job's; it must outlive the reader) is requested.
    UsedBlockReader(const Device& device, const Bitmap& used, std::uint32_t block_size, const CancelToken& cancel,
                    std::size_t chunk_bytes = 4u << 20, std::size_t depth = 4, std::uint64_t start_block = 0);
    ~UsedBlockReader();
    // The next chunk, or false at the end; rethrows a read failure.
    bool next(BlockChunk& chunk);

private:
    void run();
    const Device& device_;
    const Bitmap& used_;
    std::uint32_t block_size_;
    const CancelToken& cancel_;
    std::size_t chunk_blocks_;
    std::uint64_t start_block_;
    BoundedQueue<BlockChunk> queue_;
    FirstError error_;
    std::thread thread_;
};

}  // namespace kura
