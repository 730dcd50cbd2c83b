#include "fs/xfs_log.h"

#include "device/device.h"

#include <algorithm>
#include <vector>

namespace kura::xfs {
namespace {

constexpr std::uint32_t kRecordMagic = 0xFEEDBABEu;
constexpr std::uint8_t kUnmountTrans = 0x20;
// How far back from the head partly written records can reach: 8 in-core logs of at most
// 256 KiB each (xlog_find_head's num_scan_bblks), and the farthest a record header can lie
// before the head (one record of 256 KiB plus its header blocks).
constexpr std::uint64_t kScanBlocks = 8 * 256 * 1024 / 512;
constexpr std::uint64_t kRecordSearchBlocks = 256 * 1024 / 512 + 64;

class Log {
public:
    Log(const Device& device, const Superblock& sb)
        : device_(device),
          start_(sb.ag_block_byte(sb.agno_of(sb.logstart), sb.agbno_of(sb.logstart))),
          blocks_(std::uint64_t{sb.logblocks} * sb.block_size / 512) {}

    std::uint64_t blocks() const { return blocks_; }

    void read(std::uint64_t block, std::uint64_t count, std::vector<std::uint8_t>& out) const {
        out.resize(count * 512);
        device_.read_at(out.data(), out.size(), start_ + block * 512);
    }

    // A log block's cycle: its first word, or the word after the magic in a record header.
    static std::uint32_t cycle_in(const std::uint8_t* b) { return be32(b) == kRecordMagic ? be32(b + 4) : be32(b); }

    std::uint32_t cycle(std::uint64_t block) const {
        std::vector<std::uint8_t> b;
        read(block, 1, b);
        return cycle_in(b.data());
    }

    // The first block in [from, to) whose cycle is `wanted`, or `to`.
    std::uint64_t first_with_cycle(std::uint64_t from, std::uint64_t to, std::uint32_t wanted) const {
        std::vector<std::uint8_t> b;
        while (from < to) {
            const std::uint64_t n = std::min<std::uint64_t>(to - from, 2048);
            read(from, n, b);
            for (std::uint64_t i = 0; i < n; ++i)
                if (cycle_in(b.data() + 512 * i) == wanted) return from + i;
            from += n;
        }
        return to;
    }

private:
    const Device& device_;
    std::uint64_t start_;
    std::uint64_t blocks_;
};

// xlog_find_head: the block the next record would be written to.
std::uint64_t find_head(const Log& log) {
    const std::uint64_t n = log.blocks();
    const std::uint32_t first = log.cycle(0), last = log.cycle(n - 1);
    std::uint64_t head;
    std::uint32_t stop_on_cycle;
    if (first == last) {
        // The whole log was written in this cycle: the head is at its end, unless a hole
        // left by out-of-order writes still carries the previous cycle.
        head = n;
        stop_on_cycle = last - 1;
    } else {
        // Cycles run first ... first, last ... last: binary search for the first `last`.
        std::uint64_t lo = 0, hi = n - 1;  // cycle(lo) == first, cycle(hi) == last
        while (hi - lo > 1) {
            const std::uint64_t mid = lo + (hi - lo) / 2;
            (log.cycle(mid) == first ? lo : hi) = mid;
        }
        head = hi;
        stop_on_cycle = last;
    }
    const std::uint64_t from = head > kScanBlocks ? head - kScanBlocks : 0;
    return log.first_with_cycle(from, head, stop_on_cycle);
}

}  // namespace

LogState read_log_state(const Device& device, const Superblock& sb) {
    const Log log(device, sb);
    LogState state;
    if (log.blocks() < 2) {
        state.why = "its log is too small to hold a record";
        return state;
    }
    state.head_block = find_head(log) % log.blocks();
    // The last record header before the head, looking back (wrapping) a record's length.
    const std::uint64_t n = log.blocks();
    const std::uint64_t look = std::min(n, kRecordSearchBlocks);
    std::vector<std::uint8_t> b;
    for (std::uint64_t back = 1; back <= look; ++back) {
        const std::uint64_t blk = (state.head_block + n - back) % n;
        log.read(blk, 1, b);
        if (xfs::be32(b.data()) != kRecordMagic) continue;
        const std::uint32_t version = be32(b.data() + 8), length = be32(b.data() + 12);
        const std::uint32_t ops = be32(b.data() + 40);
        std::uint64_t header_blocks = 1;
        if (version & 2) header_blocks = std::max<std::uint64_t>(1, (be32(b.data() + 320) + 32767) / 32768);
        const std::uint64_t record_blocks = header_blocks + (std::uint64_t{length} + 511) / 512;
        if (record_blocks != back) {
            state.why = "its last log record (at log block " + std::to_string(blk) + ") " +
                        (record_blocks > back ? "was only partly written" : "is followed by unrecognised blocks");
            return state;
        }
        log.read((blk + header_blocks) % n, 1, b);
        if (ops == 1 && length >= 12 && (b[9] & kUnmountTrans)) {
            state.clean = true;
            return state;
        }
        state.why = "its log holds transactions that were never replayed (no unmount record at its head)";
        return state;
    }
    state.why = "no log record header lies before the log's head";
    return state;
}

}  // namespace kura::xfs
