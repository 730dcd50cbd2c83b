#include "fs/xfs_free_space.h"

#include "fs/inconsistent_filesystem.h"

#include "device/device.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

namespace kura::xfs {
namespace {

// Deeper than any free-space btree an AG of 2^31 blocks can need.
constexpr std::uint32_t kMaxLevels = 9;

struct BtreeKind {
    const char* name;      // for messages: "bnobt"
    const char* magic_v4;
    const char* magic_v5;
};
constexpr BtreeKind kByBlock{"bnobt", "ABTB", "AB3B"};
constexpr BtreeKind kBySize{"cntbt", "ABTC", "AB3C"};

class AgReader {
public:
    AgReader(const Device& device, const Superblock& sb, std::uint32_t agno)
        : device_(device), sb_(sb), agno_(agno), length_(sb.ag_length(agno)) {}

    [[noreturn]] void damaged(const std::string& structure, const std::string& detail) const {
        throw InconsistentFilesystem(device_.path(), "XFS", "AG " + std::to_string(agno_) + " " + structure, detail,
                                     "`xfs_repair " + device_.path() + "`");
    }

    std::vector<std::uint8_t> read_sector(std::uint32_t sector) const {
        std::vector<std::uint8_t> b(sb_.sector_size);
        device_.read_at(b.data(), b.size(), sb_.ag_sector_byte(agno_, sector));
        return b;
    }

    std::uint32_t length() const { return length_; }
    std::uint32_t agno() const { return agno_; }
    const Superblock& sb() const { return sb_; }

    // Walks a free-space btree from `root` (agf_*_root) with `levels` levels and returns its
    // leaf records in the order the tree keeps them.
    std::vector<Extent> walk(const BtreeKind& kind, std::uint32_t root, std::uint32_t levels) const {
        const std::string tree = kind.name;
        if (levels == 0 || levels > kMaxLevels)
            damaged("AGF", "the " + tree + " has " + std::to_string(levels) + " levels (1 to " +
                               std::to_string(kMaxLevels) + " possible)");
        const std::size_t header = sb_.v5() ? 56 : 16;
        const std::size_t leaf_max = (sb_.block_size - header) / 8;
        const std::size_t node_max = (sb_.block_size - header) / 12;
        std::vector<Extent> records;
        std::set<std::uint32_t> visited;
        std::vector<std::uint8_t> block(sb_.block_size);
        // Depth first, left child on top, so leaves come out in key order.
        std::vector<std::pair<std::uint32_t, std::uint32_t>> pending{{root, levels - 1}};
        while (!pending.empty()) {
            const auto [agbno, level] = pending.back();
            pending.pop_back();
            const std::string where = tree + " block " + std::to_string(agbno);
            if (agbno == 0 || agbno >= length_)
                damaged(tree, "a pointer names block " + std::to_string(agbno) + ", outside the AG's " +
                                  std::to_string(length_) + " blocks");
            if (!visited.insert(agbno).second)
                damaged(tree, "block " + std::to_string(agbno) + " is reached twice (a loop or a shared block)");
            const std::uint64_t byte = sb_.ag_block_byte(agno_, agbno);
            device_.read_at(block.data(), block.size(), byte);
            const std::uint8_t* b = block.data();
            const char* magic = sb_.v5() ? kind.magic_v5 : kind.magic_v4;
            if (std::memcmp(b, magic, 4) != 0) damaged(where, std::string("the magic is not ") + magic);
            if (be16(b + 4) != level)
                damaged(where, "its level is " + std::to_string(be16(b + 4)) + ", expected " + std::to_string(level));
            const std::uint32_t numrecs = be16(b + 6);
            if (numrecs > (level == 0 ? leaf_max : node_max))
                damaged(where, "it claims " + std::to_string(numrecs) + " records, more than a block holds");
            if (numrecs == 0 && (level > 0 || agbno != root))
                damaged(where, "it holds no records, though it is not an empty root");
            if (sb_.v5()) {
                if (be64(b + 16) != byte / 512)
                    damaged(where, "its self-address (bb_blkno) is " + std::to_string(be64(b + 16)) +
                                       ", not " + std::to_string(byte / 512));
                if (std::memcmp(b + 32, sb_.uuid, 16) != 0) damaged(where, "it carries another filesystem's UUID");
                if (be32(b + 48) != agno_)
                    damaged(where, "its owner is AG " + std::to_string(be32(b + 48)));
                if (!crc_matches(b, sb_.block_size, 52)) damaged(where, "its CRC does not match its contents");
            }
            if (level == 0) {
                for (std::uint32_t r = 0; r < numrecs; ++r) {
                    const std::uint32_t start = be32(b + header + 8 * r), count = be32(b + header + 8 * r + 4);
                    if (count == 0 || start >= length_ || count > length_ - start)
                        damaged(where, "record " + std::to_string(r) + " (" + std::to_string(start) + ", " +
                                           std::to_string(count) + " blocks) does not lie inside the AG");
                    records.push_back({start, count});
                }
            } else {
                const std::uint8_t* ptrs = b + header + 8 * node_max;  // after room for node_max keys
                for (std::uint32_t r = numrecs; r-- > 0;) pending.push_back({be32(ptrs + 4 * r), level - 1});
            }
            if (visited.size() > length_) damaged(tree, "it has more blocks than the AG");
        }
        return records;
    }

private:
    const Device& device_;
    const Superblock& sb_;
    std::uint32_t agno_;
    std::uint32_t length_;
};

// The blocks on the AGF's free list, from flfirst to fllast, wrapping.
std::vector<std::uint32_t> read_free_list(const AgReader& ag, std::uint32_t flfirst, std::uint32_t fllast,
                                          std::uint32_t flcount) {
    const Superblock& sb = ag.sb();
    const std::vector<std::uint8_t> agfl = ag.read_sector(3);
    const std::size_t header = sb.v5() ? 36 : 0;
    const std::uint32_t slots = static_cast<std::uint32_t>((sb.sector_size - header) / 4);
    if (sb.v5()) {
        if (std::memcmp(agfl.data(), "XAFL", 4) != 0) ag.damaged("AGFL", "the magic is not XAFL");
        if (be32(agfl.data() + 4) != ag.agno())
            ag.damaged("AGFL", "agfl_seqno is " + std::to_string(be32(agfl.data() + 4)));
        if (std::memcmp(agfl.data() + 8, sb.uuid, 16) != 0) ag.damaged("AGFL", "it carries another filesystem's UUID");
        if (!crc_matches(agfl.data(), agfl.size(), 32)) ag.damaged("AGFL", "its CRC does not match its contents");
    }
    if (flcount > slots || flfirst >= slots || fllast >= slots)
        ag.damaged("AGF", "the free list (agf_flfirst " + std::to_string(flfirst) + ", agf_fllast " +
                              std::to_string(fllast) + ", agf_flcount " + std::to_string(flcount) +
                              ") does not fit the AGFL's " + std::to_string(slots) + " slots");
    std::vector<std::uint32_t> blocks;
    if (flcount == 0) return blocks;
    if ((fllast + slots - flfirst) % slots + 1 != flcount)
        ag.damaged("AGF", "agf_flcount " + std::to_string(flcount) + " disagrees with agf_flfirst " +
                              std::to_string(flfirst) + " and agf_fllast " + std::to_string(fllast));
    for (std::uint32_t i = flfirst, n = 0; n < flcount; i = (i + 1) % slots, ++n) {
        const std::uint32_t agbno = be32(agfl.data() + header + 4 * i);
        if (agbno == 0 || agbno >= ag.length())
            ag.damaged("AGFL", "slot " + std::to_string(i) + " names block " + std::to_string(agbno) +
                                   ", outside the AG's " + std::to_string(ag.length()) + " blocks");
        blocks.push_back(agbno);
    }
    return blocks;
}

std::vector<Extent> sorted_by_start(std::vector<Extent> v) {
    std::sort(v.begin(), v.end(), [](const Extent& a, const Extent& b) { return a.start < b.start; });
    return v;
}

}  // namespace

std::vector<Extent> read_ag_free_space(const Device& device, const Superblock& sb, std::uint32_t agno) {
    AgReader ag(device, sb, agno);
    const std::vector<std::uint8_t> agf_bytes = ag.read_sector(1);
    const std::uint8_t* agf = agf_bytes.data();
    if (std::memcmp(agf, "XAGF", 4) != 0) ag.damaged("AGF", "the magic is not XAGF");
    if (sb.v5() && !crc_matches(agf, agf_bytes.size(), 216)) ag.damaged("AGF", "its CRC does not match its contents");
    if (be32(agf + 4) != 1) ag.damaged("AGF", "agf_versionnum is " + std::to_string(be32(agf + 4)));
    if (be32(agf + 8) != agno) ag.damaged("AGF", "agf_seqno is " + std::to_string(be32(agf + 8)));
    if (be32(agf + 12) != ag.length())
        ag.damaged("AGF", "agf_length is " + std::to_string(be32(agf + 12)) + ", the superblock makes it " +
                              std::to_string(ag.length()));
    if (sb.v5() && std::memcmp(agf + 64, sb.uuid, 16) != 0) ag.damaged("AGF", "it carries another filesystem's UUID");
    const std::uint32_t freeblks = be32(agf + 52);

    const std::vector<Extent> by_block = ag.walk(kByBlock, be32(agf + 16), be32(agf + 28));
    std::vector<Extent> by_size = ag.walk(kBySize, be32(agf + 20), be32(agf + 32));

    // The AG's headers (superblock, AGF, AGI, AGFL sectors) can never be free.
    const std::uint64_t header_blocks = (4ull * sb.sector_size + sb.block_size - 1) / sb.block_size;
    std::uint64_t sum = 0, end = header_blocks;
    for (const Extent& e : by_block) {
        if (e.start < end)
            ag.damaged("bnobt", "the free extent at block " + std::to_string(e.start) +
                                    " overlaps the one before it or the AG headers, or is out of order");
        end = e.start + e.length;
        sum += e.length;
    }
    if (sum != freeblks)
        ag.damaged("bnobt", "its extents hold " + std::to_string(sum) + " blocks, agf_freeblks says " +
                                std::to_string(freeblks));
    by_size = sorted_by_start(std::move(by_size));
    bool same = by_size.size() == by_block.size();
    for (std::size_t i = 0; same && i < by_block.size(); ++i)
        same = by_size[i].start == by_block[i].start && by_size[i].length == by_block[i].length;
    if (!same)
        ag.damaged("cntbt", "it does not list the same free extents as the bnobt (" + std::to_string(by_size.size()) +
                                " against " + std::to_string(by_block.size()) + ")");

    std::vector<Extent> free;
    for (const Extent& e : by_block) free.push_back({sb.linear_block(agno, e.start), e.length});
    for (std::uint32_t agbno : read_free_list(ag, be32(agf + 40), be32(agf + 44), be32(agf + 48))) {
        if (agbno < header_blocks)
            ag.damaged("AGFL", "it lists block " + std::to_string(agbno) + ", which holds the AG headers");
        free.push_back({sb.linear_block(agno, agbno), 1});
    }
    free = sorted_by_start(std::move(free));
    for (std::size_t i = 1; i < free.size(); ++i)
        if (free[i].start < free[i - 1].start + free[i - 1].length)
            ag.damaged("AGFL", "block " + std::to_string(free[i].start - sb.linear_block(agno, 0)) +
                                   " is both on the free list and free in the bnobt, or listed twice");
    return free;
}

}  // namespace kura::xfs
