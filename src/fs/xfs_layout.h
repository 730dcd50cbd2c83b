// XFS on-disk geometry (big-endian everywhere except the v5 CRC fields): the primary
// superblock, checked field by field before any number in it is used, and the arithmetic
// that turns XFS block numbers into byte offsets. Layout: docs/image-format.md, "XFS".
#pragma once

#include "core/byte_order.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace kura::xfs {

// v5 feature bit: xfs_repair was interrupted and must run again before anyone trusts it.
inline constexpr std::uint32_t kIncompatNeedsRepair = 0x10;
// v5 feature bit: the metadata carries sb_meta_uuid, not sb_uuid.
inline constexpr std::uint32_t kIncompatMetaUuid = 0x04;

struct Superblock {
    std::uint32_t block_size = 0;
    std::uint64_t dblocks = 0;  // data blocks, the filesystem's size
    std::uint64_t rblocks = 0, rextents = 0;
    std::uint8_t uuid[16] = {};       // the one metadata blocks carry (sb_meta_uuid if set)
    std::uint64_t logstart = 0;       // XFS block number of the internal log; 0 = external
    std::uint32_t agblocks = 0;       // blocks per allocation group (the last may be shorter)
    std::uint32_t agcount = 0;
    std::uint32_t logblocks = 0;
    std::uint32_t version = 0;        // 4 or 5 (v5 = CRCs on all metadata)
    std::uint32_t sector_size = 0;
    std::uint32_t agblklog = 0;       // bits of an XFS block number that hold the AG block
    bool inprogress = false;          // mkfs.xfs did not finish
    std::uint64_t fdblocks = 0;       // free blocks as the superblock counts them
    std::uint32_t features_incompat = 0;

    bool v5() const { return version == 5; }
    // Blocks in AG `agno`: agblocks, except the last, which holds what remains of dblocks.
    std::uint32_t ag_length(std::uint32_t agno) const;
    // Byte offset of AG block `agbno` of AG `agno`.
    std::uint64_t ag_block_byte(std::uint32_t agno, std::uint64_t agbno) const;
    // Byte offset of sector `sector` of AG `agno` (0 superblock, 1 AGF, 2 AGI, 3 AGFL).
    std::uint64_t ag_sector_byte(std::uint32_t agno, std::uint32_t sector) const;
    // Block `agbno` of AG `agno` counted from the filesystem's start (the stream's numbering).
    std::uint64_t linear_block(std::uint32_t agno, std::uint64_t agbno) const;
    std::uint32_t agno_of(std::uint64_t fsblock) const { return static_cast<std::uint32_t>(fsblock >> agblklog); }
    std::uint64_t agbno_of(std::uint64_t fsblock) const { return fsblock & ((std::uint64_t{1} << agblklog) - 1); }
};

// Bytes parse_superblock() reads: the largest sector XFS allows.
inline constexpr std::size_t kSuperblockReadSize = 32768;

// Parses and checks the superblock in `bytes` (`length` >= 512, more when the sector is
// larger): magic, version, block and sector sizes, AG geometry against dblocks, the log's
// place, and the v5 CRC. Throws Error(source_unsupported) "PATH: XFS superblock: FIELD ..."
// naming the first field that is impossible. Features kura refuses (external log,
// realtime, needsrepair) are not checked here: refuse_unsupported_features() says why.
Superblock parse_superblock(const std::string& path, const std::uint8_t* bytes, std::size_t length);

// Throws Error(source_unsupported) with the reason for a filesystem kura does not image:
// an external log or a realtime device (their blocks live on another device), an
// unfinished mkfs, or one xfs_repair must finish first.
void refuse_unsupported_features(const std::string& path, const Superblock& sb);

// Big-endian readers, shared by the AG header and log parsers.
using kura::be16;
using kura::be32;
using kura::be64;
// Whether the little-endian CRC32C at `crc_offset` matches `bytes[0, length)` with that
// field taken as zero (how v5 metadata is checksummed).
bool crc_matches(const std::uint8_t* bytes, std::size_t length, std::size_t crc_offset);

}  // namespace kura::xfs
