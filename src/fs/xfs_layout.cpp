#include "fs/xfs_layout.h"

#include "core/checked_math.h"
#include "core/crc32c.h"
#include "core/error.h"

#include <cstring>
#include <vector>

namespace kura::xfs {

bool crc_matches(const std::uint8_t* bytes, std::size_t length, std::size_t crc_offset) {
    std::vector<std::uint8_t> copy(bytes, bytes + length);
    std::memset(copy.data() + crc_offset, 0, 4);
    const std::uint32_t stored = std::uint32_t{bytes[crc_offset]} | std::uint32_t{bytes[crc_offset + 1]} << 8 |
                                 std::uint32_t{bytes[crc_offset + 2]} << 16 | std::uint32_t{bytes[crc_offset + 3]} << 24;
    return crc32c(copy.data(), copy.size()) == stored;
}

std::uint32_t Superblock::ag_length(std::uint32_t agno) const {
    if (agno + 1 < agcount) return agblocks;
    return static_cast<std::uint32_t>(dblocks - std::uint64_t{agblocks} * (agcount - 1));
}

std::uint64_t Superblock::linear_block(std::uint32_t agno, std::uint64_t agbno) const {
    return std::uint64_t{agno} * agblocks + agbno;
}

std::uint64_t Superblock::ag_block_byte(std::uint32_t agno, std::uint64_t agbno) const {
    return linear_block(agno, agbno) * block_size;
}

std::uint64_t Superblock::ag_sector_byte(std::uint32_t agno, std::uint32_t sector) const {
    return ag_block_byte(agno, 0) + std::uint64_t{sector} * sector_size;
}

namespace {

[[noreturn]] void bad(const std::string& path, const std::string& field, const std::string& why) {
    throw Error(ExitCode::source_unsupported, path + ": XFS superblock: " + field + " " + why +
                                                  "; the filesystem is damaged or not XFS (run `xfs_repair -n " +
                                                  path + "` to see)");
}

std::uint32_t log2_of(std::uint64_t v) {
    std::uint32_t n = 0;
    while ((std::uint64_t{1} << n) < v) ++n;
    return n;
}

}  // namespace

Superblock parse_superblock(const std::string& path, const std::uint8_t* b, std::size_t length) {
    if (length < 512) bad(path, "(sector 0)", "cannot be read: the device holds only " + std::to_string(length) + " bytes");
    if (std::memcmp(b, "XFSB", 4) != 0) bad(path, "sb_magicnum", "is not XFSB");
    Superblock sb;
    const std::uint16_t versionnum = be16(b + 100);
    sb.version = versionnum & 0xF;
    if (sb.version != 4 && sb.version != 5)
        bad(path, "sb_versionnum", "says version " + std::to_string(sb.version) + " (kura reads XFS v4 and v5)");

    sb.block_size = be32(b + 4);
    if (!is_power_of_two(sb.block_size) || sb.block_size < 512 || sb.block_size > 65536)
        bad(path, "sb_blocksize", "is " + std::to_string(sb.block_size) + " (XFS uses 512 to 65536, a power of two)");
    if (b[120] != log2_of(sb.block_size))
        bad(path, "sb_blocklog", "is " + std::to_string(b[120]) + ", not log2 of sb_blocksize " +
                                     std::to_string(sb.block_size));
    sb.sector_size = be16(b + 102);
    if (!is_power_of_two(sb.sector_size) || sb.sector_size < 512 || sb.sector_size > 32768 ||
        sb.sector_size > sb.block_size)
        bad(path, "sb_sectsize", "is " + std::to_string(sb.sector_size) +
                                     " (XFS uses 512 to 32768, a power of two, at most the block size)");
    if (b[121] != log2_of(sb.sector_size))
        bad(path, "sb_sectlog", "is " + std::to_string(b[121]) + ", not log2 of sb_sectsize");
    if (length < sb.sector_size)
        bad(path, "sb_sectsize", "is " + std::to_string(sb.sector_size) + ", more than the device holds");

    sb.dblocks = be64(b + 8);
    sb.rblocks = be64(b + 16);
    sb.rextents = be64(b + 24);
    std::memcpy(sb.uuid, b + 32, 16);
    sb.logstart = be64(b + 48);
    sb.agblocks = be32(b + 84);
    sb.agcount = be32(b + 88);
    sb.logblocks = be32(b + 96);
    sb.agblklog = b[124];
    sb.inprogress = b[126] != 0;
    sb.fdblocks = be64(b + 144);

    // An AG holds at least 64 blocks (XFS_MIN_AG_BLOCKS) and at most 1 TiB; agblklog is
    // agblocks rounded up to a power of two, so XFS block numbers address every AG block.
    if (sb.agblocks < 64 || sb.agblocks > (std::uint64_t{1} << 40) / sb.block_size)
        bad(path, "sb_agblocks", "is " + std::to_string(sb.agblocks) + " (an AG holds 64 blocks to 1 TiB)");
    if (sb.agblklog > 31 || sb.agblklog != log2_of(sb.agblocks))
        bad(path, "sb_agblklog", "is " + std::to_string(sb.agblklog) + ", not log2 of sb_agblocks " +
                                     std::to_string(sb.agblocks) + " rounded up");
    if (sb.agcount == 0) bad(path, "sb_agcount", "is 0");
    // dblocks must end inside the last AG: more AGs than that, or fewer, is a lie.
    const std::uint64_t before_last = std::uint64_t{sb.agblocks} * (sb.agcount - 1);
    if (sb.dblocks <= before_last || sb.dblocks > before_last + sb.agblocks)
        bad(path, "sb_dblocks", "is " + std::to_string(sb.dblocks) + ", which does not end in the last of " +
                                    std::to_string(sb.agcount) + " AGs of " + std::to_string(sb.agblocks) +
                                    " blocks (sb_agcount x sb_agblocks disagree with it)");
    if (!checked_mul(sb.dblocks, sb.block_size))
        bad(path, "sb_dblocks", "is " + std::to_string(sb.dblocks) + ", too large for its block size");
    if (sb.fdblocks > sb.dblocks)
        bad(path, "sb_fdblocks", "is " + std::to_string(sb.fdblocks) + ", more than the " +
                                     std::to_string(sb.dblocks) + " blocks of the filesystem");

    if (sb.v5()) {
        if (!crc_matches(b, sb.sector_size, 224)) bad(path, "sb_crc", "does not match the superblock's contents");
        sb.features_incompat = be32(b + 216);
        if (sb.features_incompat & kIncompatMetaUuid) std::memcpy(sb.uuid, b + 248, 16);
    }

    // The internal log must lie inside one AG; an external one (logstart 0) is refused later.
    if (sb.logstart != 0) {
        const std::uint64_t agno = sb.logstart >> sb.agblklog;
        const std::uint64_t agbno = sb.agbno_of(sb.logstart);
        if (agno >= sb.agcount || agbno >= sb.ag_length(static_cast<std::uint32_t>(agno)))
            bad(path, "sb_logstart", "is " + std::to_string(sb.logstart) + " (AG " + std::to_string(agno) +
                                         " block " + std::to_string(agbno) + "), outside the filesystem");
        if (sb.logblocks == 0 || agbno + sb.logblocks > sb.ag_length(static_cast<std::uint32_t>(agno)))
            bad(path, "sb_logblocks", "is " + std::to_string(sb.logblocks) + ", which does not fit in AG " +
                                          std::to_string(agno) + " from block " + std::to_string(agbno));
    }
    return sb;
}

void refuse_unsupported_features(const std::string& path, const Superblock& sb) {
    auto refuse = [&](const std::string& why) {
        throw Error(ExitCode::source_unsupported, path + ": " + why);
    };
    if (sb.logstart == 0)
        refuse("this XFS keeps its log on an external device; kura images only XFS with an internal log "
               "(image the filesystem and its log device raw)");
    if (sb.rblocks != 0 || sb.rextents != 0)
        refuse("this XFS has a realtime device (" + std::to_string(sb.rblocks) +
               " realtime blocks), whose data lives outside this partition; kura does not image it (image it raw)");
    if (sb.inprogress) refuse("mkfs.xfs did not finish on this XFS (sb_inprogress is set); make it again");
    if (sb.features_incompat & kIncompatNeedsRepair)
        refuse("this XFS is marked as needing repair (an interrupted xfs_repair); run `xfs_repair " + path +
               "` first");
}

}  // namespace kura::xfs
