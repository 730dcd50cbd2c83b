// Small pieces the verbs rely on: size parsing, mountinfo, the manifest, part names.
#include "core/error.h"
#include "core/units.h"
#include "device/mount_table.h"
#include "image/manifest.h"
#include "pipeline/target_writer.h"

#include <gtest/gtest.h>

#include <sys/sysmacros.h>

namespace kura {
namespace {

TEST(ParseSize, BareNumbersAreClonezillaMegabytes) {
    EXPECT_EQ(parse_size("4096", "--split"), 4096000000ull);
    EXPECT_EQ(parse_size("0", "--split"), 0ull);
    EXPECT_EQ(parse_size("1MB", "--split"), 1000000ull);
    EXPECT_EQ(parse_size("2GiB", "--split"), 2ull << 30);
    EXPECT_EQ(parse_size("512k", "--split"), 512000ull);
    EXPECT_THROW(parse_size("", "--split"), Error);
    EXPECT_THROW(parse_size("12XB", "--split"), Error);
    EXPECT_THROW(parse_size("-5", "--split"), Error);
    EXPECT_THROW(parse_size("99999999999999999999", "--split"), Error);
}

TEST(MountTable, ParsesMountinfoWithEscapes) {
    MountTable t = MountTable::parse(
        "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
        "30 22 7:3 / /mnt/my\\040disk ro,nosuid - ext4 /dev/loop3 ro\n"
        "31 22 0:5 / /proc rw - proc proc rw\n");
    ASSERT_EQ(t.entries().size(), 3u);
    auto on_loop = t.on_device(makedev(7, 3));
    ASSERT_EQ(on_loop.size(), 1u);
    EXPECT_EQ(on_loop[0].mount_point, "/mnt/my disk");
    EXPECT_TRUE(on_loop[0].read_only);
    EXPECT_FALSE(t.on_device(makedev(254, 1))[0].read_only);
    EXPECT_EQ(t.containing("/mnt/my disk/x")->source, "/dev/loop3");
    EXPECT_EQ(t.containing("/mnt/my diskette")->mount_point, "/");
}

TEST(Manifest, RoundTripsAndChecksSizes) {
    Manifest m;
    m.engine = "kura 0.1.0";
    m.created = "2026-11-25T00:00:00Z";
    m.complete = true;
    ManifestPart p;
    p.name = "sda1";
    p.source = "/dev/sda1";
    p.fs_type = "ext4";
    p.compression = "zstd";
    p.device_bytes = 1 << 30;
    p.block_size = 4096;
    p.total_blocks = 262144;
    p.used_blocks = 1000;
    p.files = {{"sda1.ext4-ptcl-img.zst.aa", 123, "ab12"}, {"sda1.ext4-ptcl-img.zst.ab", 45, {}}};
    m.parts.push_back(p);
    ManifestDisk d;
    d.name = "sda";
    d.model = "QEMU HARDDISK 100%";
    d.wwid = "naa.5000c500a1b2c3d4";
    d.identity = "wwid:naa.5000c500a1b2c3d4";
    d.table = "gpt";
    d.bytes = 1ull << 34;
    d.logical_sector = 4096;
    m.disks.push_back(d);
    Manifest back = Manifest::parse(m.to_text());
    ASSERT_NE(back.find_disk("sda"), nullptr);
    EXPECT_EQ(back.find_disk("sda")->model, "QEMU HARDDISK 100%");
    EXPECT_EQ(back.find_disk("sda")->identity, "wwid:naa.5000c500a1b2c3d4");
    EXPECT_EQ(back.find_disk("sda")->bytes, 1ull << 34);
    EXPECT_EQ(back.find_disk("sda")->logical_sector, 4096u);
    EXPECT_TRUE(back.complete);
    EXPECT_FALSE(back.verified);
    ASSERT_NE(back.find("sda1"), nullptr);
    EXPECT_EQ(back.find("sda1")->files.size(), 2u);
    EXPECT_EQ(back.find("sda1")->files[1].bytes, 45u);
    EXPECT_EQ(back.find("sda1")->files[0].sha256, "ab12");
    EXPECT_EQ(back.find("sda1")->files[1].sha256, "");
    EXPECT_EQ(back.find("sda1")->used_blocks, 1000u);
    EXPECT_THROW(Manifest::parse("part sda1 fs=ext4\nfile sda1 x notanumber\n"), Error);
}

TEST(ZeroDetection, FindsOnlyAllZeroBlocks) {
    std::vector<std::uint8_t> block(4096, 0);
    EXPECT_TRUE(is_all_zero(block.data(), block.size()));
    block[4095] = 1;
    EXPECT_FALSE(is_all_zero(block.data(), block.size()));
    block[4095] = 0;
    block[0] = 1;
    EXPECT_FALSE(is_all_zero(block.data(), block.size()));
}

}  // namespace
}  // namespace kura
