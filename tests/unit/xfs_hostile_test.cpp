// XFS metadata damaged on purpose, one field at a time, in a filesystem the real mkfs.xfs
// made (512 MiB, v5). v5 CRCs are recomputed after each poke, so the check aimed at is the
// one that fires; the CRC checks get their own cases. Every refusal must be exit 5
// (source_unsupported) and name the partition and the field or structure.
#include "xfs_image.h"

#include "core/error.h"
#include "fs/filesystem.h"
#include "fs/inconsistent_filesystem.h"

#include <gtest/gtest.h>

#include <memory>

namespace kura {

std::unique_ptr<FilesystemReader> make_xfs_reader();

namespace {

using xfs_test::XfsImage;

// 512 MiB, 4 KiB blocks, 512-byte sectors, 4 AGs of 32768 blocks.
constexpr std::uint64_t kBlock = 4096;
constexpr std::uint64_t kAg1 = 32768 * kBlock;
constexpr std::uint64_t kAgf1 = kAg1 + 512;
constexpr std::uint64_t kAgfl1 = kAg1 + 3 * 512;

class XfsHostile : public ::testing::Test {
protected:
    static void SetUpTestSuite() { image_ = new XfsImage("512M"); }
    static void TearDownTestSuite() {
        delete image_;
        image_ = nullptr;
    }
    void TearDown() override { image_->undo(); }

    XfsImage& image() { return *image_; }

    void poke_sb(std::uint64_t offset, std::uint64_t value, int bytes) {
        image().put(offset, value, bytes);
        image().fix_crc(0, 512, 224);
    }
    void poke_agf(std::uint64_t offset, std::uint64_t value, int bytes) {
        image().put(kAgf1 + offset, value, bytes);
        image().fix_crc(kAgf1, 512, 216);
    }
    std::uint64_t bno_root() { return kAg1 + image().get32(kAgf1 + 16) * kBlock; }
    std::uint64_t cnt_root() { return kAg1 + image().get32(kAgf1 + 20) * kBlock; }
    void poke_block(std::uint64_t block, std::uint64_t offset, std::uint64_t value, int bytes) {
        image().put(block + offset, value, bytes);
        image().fix_crc(block, kBlock, 52);
    }

    // The refusal's message; fails the test unless it is exit 5 naming the image and all of `parts`.
    std::string refusal(std::initializer_list<const char*> parts, const FsReadOptions& options = {}) {
        try {
            make_xfs_reader()->read_used_blocks(image().path(), options);
        } catch (const Error& e) {
            const std::string what = e.what();
            EXPECT_EQ(e.code(), ExitCode::source_unsupported) << what;
            EXPECT_EQ(what.rfind(image().path() + ": ", 0), 0u) << what;
            for (const char* p : parts) EXPECT_NE(what.find(p), std::string::npos) << "no \"" << p << "\" in: " << what;
            return what;
        }
        ADD_FAILURE() << "the damaged filesystem was read";
        return "";
    }

    static XfsImage* image_;
};

XfsImage* XfsHostile::image_ = nullptr;

TEST_F(XfsHostile, PristineImageReads) {
    const UsedBlockMap map = make_xfs_reader()->read_used_blocks(image().path(), {});
    EXPECT_EQ(map.used.size(), 131072u);
}

TEST_F(XfsHostile, SuperblockMagic) {
    image().put(0, 0, 4);
    refusal({"XFS superblock: sb_magicnum is not XFSB"});
}

TEST_F(XfsHostile, SuperblockCrc) {
    image().put(400, 0xAB, 1);  // inside the checksummed sector, no field kura reads
    refusal({"sb_crc does not match"});
}

TEST_F(XfsHostile, SuperblockVersion) {
    poke_sb(100, 0xb4a3, 2);
    refusal({"sb_versionnum says version 3"});
}

TEST_F(XfsHostile, SuperblockBlockSize) {
    poke_sb(4, 3000, 4);
    refusal({"sb_blocksize is 3000"});
}

TEST_F(XfsHostile, SuperblockSectorSizeLargerThanBlock) {
    poke_sb(102, 8192, 2);
    poke_sb(121, 13, 1);
    refusal({"sb_sectsize is 8192"});
}

TEST_F(XfsHostile, AgCountDisagreesWithDblocks) {
    poke_sb(88, 5, 4);
    refusal({"sb_dblocks is 131072", "sb_agcount x sb_agblocks disagree"});
}

TEST_F(XfsHostile, AgCountZero) {
    poke_sb(88, 0, 4);
    refusal({"sb_agcount is 0"});
}

TEST_F(XfsHostile, AgBlocksDisagreesWithAgBlkLog) {
    poke_sb(84, 40000, 4);
    refusal({"sb_agblklog is 15, not log2 of sb_agblocks 40000"});
}

TEST_F(XfsHostile, FreeBlocksBeyondTheFilesystem) {
    poke_sb(144, 131073, 8);
    refusal({"sb_fdblocks is 131073"});
}

TEST_F(XfsHostile, LogOutsideTheFilesystem) {
    poke_sb(48, std::uint64_t{7} << 15 | 6, 8);
    refusal({"sb_logstart", "outside the filesystem"});
}

TEST_F(XfsHostile, LogRunsPastItsAg) {
    poke_sb(96, 32768, 4);
    refusal({"sb_logblocks is 32768"});
}

TEST_F(XfsHostile, ExternalLogRefused) {
    poke_sb(48, 0, 8);
    refusal({"keeps its log on an external device"});
}

TEST_F(XfsHostile, RealtimeDeviceRefused) {
    poke_sb(16, 1000, 8);
    refusal({"has a realtime device (1000 realtime blocks)"});
}

TEST_F(XfsHostile, NeedsRepairRefused) {
    poke_sb(216, image().get32(216) | 0x10, 4);
    refusal({"marked as needing repair", "xfs_repair"});
}

TEST_F(XfsHostile, UnfinishedMkfsRefused) {
    poke_sb(126, 1, 1);
    refusal({"sb_inprogress is set"});
}

TEST_F(XfsHostile, DeviceCutShort) {
    XfsImage cut("512M");
    run_tool_checked({"truncate", "-s", "400M", cut.path()});
    try {
        make_xfs_reader()->read_used_blocks(cut.path(), {});
        ADD_FAILURE() << "a cut-short XFS was read";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::source_unsupported);
        EXPECT_NE(std::string(e.what()).find("needs 536870912 bytes but the device holds only 419430400"),
                  std::string::npos) << e.what();
    }
}

TEST_F(XfsHostile, AgfCrc) {
    image().put(kAgf1 + 300, 0x5A, 1);
    refusal({"AG 1 AGF", "CRC does not match"});
}

TEST_F(XfsHostile, AgfMagic) {
    poke_agf(0, 0, 4);
    refusal({"AG 1 AGF", "magic is not XAGF"});
}

TEST_F(XfsHostile, AgfSeqno) {
    poke_agf(8, 2, 4);
    refusal({"AG 1 AGF", "agf_seqno is 2"});
}

TEST_F(XfsHostile, AgfLength) {
    poke_agf(12, 40000, 4);
    refusal({"AG 1 AGF", "agf_length is 40000, the superblock makes it 32768"});
}

TEST_F(XfsHostile, AgfBtreeLevels) {
    poke_agf(28, 20, 4);
    refusal({"AG 1 AGF", "the bnobt has 20 levels"});
}

TEST_F(XfsHostile, AgfRootOutsideTheAg) {
    poke_agf(16, 99999, 4);
    refusal({"AG 1 bnobt", "names block 99999, outside the AG's 32768 blocks"});
}

TEST_F(XfsHostile, AgfFreeListIndexOutOfRange) {
    poke_agf(40, 1000, 4);
    refusal({"AG 1 AGF", "agf_flfirst 1000", "119 slots"});
}

TEST_F(XfsHostile, AgfFreeListCountDisagrees) {
    poke_agf(48, image().get32(kAgf1 + 48) + 1, 4);
    refusal({"AG 1 AGF", "agf_flcount"});
}

TEST_F(XfsHostile, AgfFreeBlocksDisagreeWithBnobt) {
    poke_agf(52, image().get32(kAgf1 + 52) - 1, 4);
    refusal({"AG 1 bnobt", "agf_freeblks says"});
}

TEST_F(XfsHostile, AgflEntryOutsideTheAg) {
    const std::uint32_t first = image().get32(kAgf1 + 40);
    image().put(kAgfl1 + 36 + 4 * first, 99999, 4);
    image().fix_crc(kAgfl1, 512, 32);
    refusal({"AG 1 AGFL", "names block 99999"});
}

TEST_F(XfsHostile, AgflEntryAlsoFreeInBnobt) {
    const std::uint32_t first = image().get32(kAgf1 + 40);
    const std::uint32_t free_start = image().get32(bno_root() + 56);  // the first free extent
    image().put(kAgfl1 + 36 + 4 * first, free_start, 4);
    image().fix_crc(kAgfl1, 512, 32);
    refusal({"AG 1 AGFL", "both on the free list and free in the bnobt"});
}

TEST_F(XfsHostile, AgflCrc) {
    image().put(kAgfl1 + 500, 0x11, 1);
    refusal({"AG 1 AGFL", "CRC does not match"});
}

TEST_F(XfsHostile, BtreeMagic) {
    poke_block(bno_root(), 0, 0x41425443, 4);  // "ABTC": a v4 cntbt magic
    refusal({"AG 1 bnobt block", "the magic is not AB3B"});
}

TEST_F(XfsHostile, BtreeLevel) {
    poke_block(bno_root(), 4, 1, 2);
    refusal({"AG 1 bnobt block", "its level is 1, expected 0"});
}

TEST_F(XfsHostile, BtreeRecordCount) {
    poke_block(bno_root(), 6, 60000, 2);
    refusal({"AG 1 bnobt block", "claims 60000 records"});
}

TEST_F(XfsHostile, BtreeRecordOutsideTheAg) {
    poke_block(bno_root(), 56 + 4, 40000, 4);  // first record's block count
    refusal({"AG 1 bnobt block", "record 0", "does not lie inside the AG"});
}

TEST_F(XfsHostile, BtreeOwner) {
    poke_block(bno_root(), 48, 3, 4);
    refusal({"AG 1 bnobt block", "its owner is AG 3"});
}

TEST_F(XfsHostile, BtreeSelfAddress) {
    poke_block(bno_root(), 16, 8, 8);
    refusal({"AG 1 bnobt block", "bb_blkno"});
}

TEST_F(XfsHostile, BtreeCrc) {
    image().put(bno_root() + 4000, 0x77, 1);
    refusal({"AG 1 bnobt block", "CRC does not match"});
}

TEST_F(XfsHostile, CntbtDisagreesWithBnobt) {
    const std::uint32_t count = image().get32(cnt_root() + 60);
    poke_block(cnt_root(), 60, count - 1, 4);
    refusal({"AG 1 cntbt", "does not list the same free extents"});
}

TEST_F(XfsHostile, BtreeBlockReachedTwice) {
    // Turn the bnobt into two levels whose root points twice at one copy of the old leaf.
    const std::uint64_t root = bno_root();
    const std::uint32_t copy_agbno = 32767;  // the AG's last block: free in a fresh filesystem
    const std::uint64_t copy = kAg1 + copy_agbno * kBlock;
    image().write(copy, image().read(root, kBlock));
    poke_block(copy, 16, copy / 512, 8);
    poke_block(root, 4, 1, 2);  // level 1
    poke_block(root, 6, 2, 2);  // two children
    const std::uint64_t pointers = 56 + 8 * ((kBlock - 56) / 12);
    poke_block(root, pointers, copy_agbno, 4);
    poke_block(root, pointers + 4, copy_agbno, 4);
    poke_agf(28, 2, 4);
    refusal({"AG 1 bnobt", "block 32767 is reached twice"});
}

// The fresh log holds one record, the unmount record mkfs.xfs wrote at log block 0.
std::uint64_t log_byte(XfsImage& image) {
    std::uint64_t logstart = 0;
    for (std::uint8_t c : image.read(48, 8)) logstart = logstart << 8 | c;
    const std::uint32_t agno = static_cast<std::uint32_t>(logstart >> 15);
    return (std::uint64_t{agno} * 32768 + (logstart & 32767)) * kBlock;
}

TEST_F(XfsHostile, LogWithoutUnmountRecordIsDirty) {
    const std::uint64_t log = log_byte(image());
    ASSERT_EQ(image().get32(log), 0xFEEDBABEu);
    const std::uint8_t flags = image().read(log + 512 + 9, 1)[0];
    ASSERT_TRUE(flags & 0x20);
    image().put(log + 512 + 9, flags & ~0x20, 1);
    refusal({"not unmounted cleanly", "Mount it once", "--fs-force"});
    FsReadOptions force;
    force.force = true;
    const UsedBlockMap map = make_xfs_reader()->read_used_blocks(image().path(), force);
    EXPECT_EQ(map.used.size(), 131072u);
}

TEST_F(XfsHostile, PartlyWrittenLogRecordIsDirty) {
    const std::uint64_t log = log_byte(image());
    image().put(log + 12, 64 * 1024, 4);  // h_len: the record now runs past the log's head
    refusal({"not unmounted cleanly", "partly written"});
}

}  // namespace
}  // namespace kura
