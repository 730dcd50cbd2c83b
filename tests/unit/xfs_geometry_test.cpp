// XFS geometry as kura reads it from filesystems the real mkfs.xfs made, at the sizes where
// its choices change: 4 AGs of a power-of-two size up to 1 TiB, then AGs of 2^28 - 1 blocks
// (so XFS block numbers and linear block numbers part ways) and a short last AG, 16 AGs near
// 16 TiB; 1 KiB and 64 KiB blocks and 4 KiB sectors. Images are sparse; the large ones get
// a 64 MiB log (-l size=64m) so mkfs writes 64 MiB, not 2 GiB - the data geometry is the same.
#include "xfs_image.h"

#include "device/device.h"
#include "fs/filesystem.h"
#include "fs/xfs_free_space.h"
#include "fs/xfs_layout.h"
#include "fs/xfs_log.h"

#include <gtest/gtest.h>

#include <memory>

namespace kura {

std::unique_ptr<FilesystemReader> make_xfs_reader();

namespace {

using xfs_test::XfsImage;

xfs::Superblock superblock_of(const XfsImage& image) {
    const auto bytes = image.read(0, xfs::kSuperblockReadSize);
    return xfs::parse_superblock(image.path(), bytes.data(), bytes.size());
}

struct Expected {
    const char* size;
    std::vector<std::string> mkfs_args;
    std::uint32_t agcount, agblocks;
    std::uint64_t dblocks;
};

void check_geometry(const Expected& e) {
    SCOPED_TRACE(e.size);
    XfsImage image(e.size, e.mkfs_args);
    const xfs::Superblock sb = superblock_of(image);
    EXPECT_EQ(sb.version, 5u);
    EXPECT_EQ(sb.agcount, e.agcount);
    EXPECT_EQ(sb.agblocks, e.agblocks);
    EXPECT_EQ(sb.dblocks, e.dblocks);
    // The last AG holds the rest, and its AGF says the same length.
    const std::uint32_t last = sb.agcount - 1;
    EXPECT_EQ(sb.ag_length(last), e.dblocks - std::uint64_t{e.agblocks} * last);
    Device device = Device::open(image.path(), Access::read_only, Role::source);
    std::uint64_t free_blocks = 0;
    for (std::uint32_t ag = 0; ag < sb.agcount; ++ag)
        for (const xfs::Extent& x : xfs::read_ag_free_space(device, sb, ag)) {
            EXPECT_GE(x.start, sb.linear_block(ag, 0));
            EXPECT_LE(x.start + x.length, sb.linear_block(ag, 0) + sb.ag_length(ag));
            free_blocks += x.length;
        }
    // Fresh: no btree block beyond the roots, so the superblock's free count is exact.
    EXPECT_EQ(free_blocks, sb.fdblocks);
    const xfs::LogState log = xfs::read_log_state(device, sb);
    EXPECT_TRUE(log.clean) << log.why;
}

TEST(XfsGeometry, PowerOfTwoAgsUpTo16GiB) {
    check_geometry({"512M", {}, 4, 32768, 131072});
    check_geometry({"1G", {}, 4, 65536, 262144});
    check_geometry({"16G", {}, 4, 1048576, 4194304});
}

TEST(XfsGeometry, OneTebibyteReadWhole) {
    check_geometry({"1T", {"-l", "size=64m"}, 4, 67108864, 268435456});
}

TEST(XfsGeometry, AgsOf2To28Minus1FromFourTebibytes) {
    // dblocks = 4 x (2^28 - 1), 4 blocks short of 4 TiB; the log's XFS block number
    // (AG number << 28 | AG block) is not its linear block number.
    XfsImage image("4T", {"-l", "size=64m"});
    const xfs::Superblock sb = superblock_of(image);
    EXPECT_EQ(sb.agblocks, 268435455u);
    EXPECT_EQ(sb.agblklog, 28u);
    EXPECT_EQ(sb.dblocks, 1073741820u);
    EXPECT_NE(sb.linear_block(sb.agno_of(sb.logstart), sb.agbno_of(sb.logstart)), sb.logstart);
    check_geometry({"4T", {"-l", "size=64m"}, 4, 268435455, 1073741820});
}

TEST(XfsGeometry, SixteenAgsNearSixteenTebibytesWithAShortLastAg) {
    // 16383 GiB: the largest file this host's ext4 /var/tmp holds.
    check_geometry({"16383G", {"-l", "size=64m"}, 16, 268435455, 4294705152});
}

TEST(XfsGeometry, BlockAndSectorSizes) {
    check_geometry({"1G", {"-b", "size=1024"}, 4, 262144, 1048576});
    check_geometry({"1G", {"-b", "size=65536"}, 4, 4096, 16384});
    // 4 KiB sectors: the AGF is at byte 4096 of each AG, the AGFL at 12288 (block 3).
    check_geometry({"1G", {"-s", "size=4096"}, 4, 65536, 262144});
}

TEST(XfsGeometry, V4BlocksOf512Bytes) {
    XfsImage image("512M", {"-m", "crc=0", "-b", "size=512"});
    const xfs::Superblock sb = superblock_of(image);
    EXPECT_EQ(sb.version, 4u);
    EXPECT_EQ(sb.block_size, 512u);
    const UsedBlockMap map = make_xfs_reader()->read_used_blocks(image.path(), {});
    EXPECT_EQ(map.block_size, 512u);
    EXPECT_EQ(map.used.size(), sb.dblocks);
    EXPECT_EQ(map.used.count(), sb.dblocks - sb.fdblocks);
}

TEST(XfsGeometry, UsedMapCoversLogAndHeaders) {
    XfsImage image("512M");
    const xfs::Superblock sb = superblock_of(image);
    const UsedBlockMap map = make_xfs_reader()->read_used_blocks(image.path(), {});
    EXPECT_EQ(map.partclone_tag, "XFS");
    EXPECT_EQ(map.device_size, sb.dblocks * sb.block_size);
    EXPECT_EQ(map.used.count(), sb.dblocks - sb.fdblocks);
    ASSERT_TRUE(map.fs_reported_used);
    EXPECT_EQ(*map.fs_reported_used, sb.dblocks - sb.fdblocks);
    const std::uint64_t log = sb.linear_block(sb.agno_of(sb.logstart), sb.agbno_of(sb.logstart));
    for (std::uint64_t b = log; b < log + sb.logblocks; ++b) ASSERT_TRUE(map.used.test(b)) << b;
    for (std::uint32_t ag = 0; ag < sb.agcount; ++ag) EXPECT_TRUE(map.used.test(sb.linear_block(ag, 0)));
}

TEST(XfsGeometry, RepairGrowAndRepositoryHooks) {
    const FilesystemReader* fs = filesystem_reader_for("xfs");
    ASSERT_NE(fs, nullptr);
    EXPECT_EQ(fs->repair_command("/dev/x"), (std::vector<std::string>{"xfs_repair", "/dev/x"}));
    EXPECT_EQ(fs->judge_repair("p1", "/dev/x", ToolResult{0, ""}), "checked and repaired where needed");
    try {
        fs->judge_repair("p1 (/dev/x, xfs)", "/dev/x", ToolResult{2, "ERROR: The filesystem has valuable metadata"});
        ADD_FAILURE() << "exit 2 accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::source_unsupported);
        EXPECT_NE(std::string(e.what()).find("mount the filesystem once to replay the log"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(fs->grows());
    auto mount = repository_mount_for("xfs");
    ASSERT_TRUE(mount);
    EXPECT_EQ(mount->kernel_types, (std::vector<std::string>{"xfs"}));
    EXPECT_TRUE(mount->unix_permissions);
}

}  // namespace
}  // namespace kura
