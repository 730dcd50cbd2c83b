// The VMFS structures kura parses, built byte by byte here: block ids decode to the right
// entries and items, resource files place entries and items where vmfs-tools reads them,
// bitmap entries count free items from their bits, and every inconsistency is named.
#include "fs/vmfs_layout.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace kura::vmfs {
namespace {

void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put64(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

TEST(VmfsLayout, BlockIdsDecode) {
    EXPECT_EQ(block_type(0x00000004), BlockType::file_descriptor);  // the root directory, FD(0, 0)
    const std::uint32_t fb = (1234u << 6) | (4u << 3) | 1;          // FB 1234, to-be-zeroed
    EXPECT_EQ(block_type(fb), BlockType::file_block);
    EXPECT_EQ(fb_item(fb), 1234u);
    const std::uint32_t pb = (3u << 28) | (17u << 6) | 3;
    EXPECT_EQ(block_type(pb), BlockType::pointer_block);
    EXPECT_EQ(pb_entry(pb), 17u);
    EXPECT_EQ(pb_item(pb), 3u);
    const std::uint32_t fd = (5u << 22) | (2u << 6) | 4;
    EXPECT_EQ(fd_entry(fd), 2u);
    EXPECT_EQ(fd_item(fd), 5u);
}

TEST(VmfsLayout, ResourceOffsetsFollowAreas) {
    ResourceHeader h{200, 32, 0x10000, 0, 32 * 0x400, 13000, 3};
    EXPECT_EQ(h.entry_offset(0), 0x10000u);
    EXPECT_EQ(h.entry_offset(33), 0x10000u + 32 * 0x400 + 0x400);  // second area, second entry
    ResourceHeader fdc{32, 32, 0x10000, 0x800, 32 * 0x400 + 1024 * 0x800, 256, 1};
    EXPECT_EQ(fdc.item_offset(0, 0), 0x10000u + 32 * 0x400);
    EXPECT_EQ(fdc.item_offset(1, 2), 0x10000u + 32 * 0x400 + 34 * 0x800);
}

TEST(VmfsLayout, VolumeHeaderAndFsDescriptor) {
    std::vector<std::uint8_t> v(0x2000);
    std::string problem;
    EXPECT_FALSE(parse_volume_header(v.data(), problem));
    EXPECT_NE(problem.find("no VMFS volume header"), std::string::npos);
    put32(v, 0, 0xC001D00D);
    put32(v, 4, 5);
    put64(v, 0x200, 96u << 20);
    put32(v, 0x274, 1);
    put32(v, 0x290, 1);
    auto h = parse_volume_header(v.data(), problem);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->version, 5u);
    EXPECT_EQ(h->lvm_size, 96u << 20);
    EXPECT_EQ(h->num_extents, 1u);

    std::vector<std::uint8_t> f(0x200);
    put32(f, 0, 0x2FABF15E);
    put64(f, 0xA1, 3u << 20);  // not a power of two
    EXPECT_FALSE(parse_fs_descriptor(f.data(), problem));
    EXPECT_NE(problem.find("block size"), std::string::npos);
    put64(f, 0xA1, 8u << 20);
    ASSERT_TRUE(parse_fs_descriptor(f.data(), problem));
    put32(f, 0, 0);
    EXPECT_FALSE(parse_fs_descriptor(f.data(), problem));
    EXPECT_NE(problem.find("FS descriptor is damaged"), std::string::npos);
}

TEST(VmfsLayout, BitmapEntriesCountFreeBits) {
    std::vector<std::uint8_t> e(kBitmapEntrySize);
    std::string problem;
    auto unused = parse_bitmap_entry(e.data(), 0x10C00002, 200, problem);
    ASSERT_TRUE(unused);
    EXPECT_EQ(unused->magic, 0u);
    put32(e, 0, 0x10C00002);
    put32(e, 0x200, 7);
    put32(e, 0x204, 10);  // 10 items
    put32(e, 0x208, 7);   // 7 free
    e[0x210] = 0b11101100;  // items 0, 1, 4 allocated; 2, 3, 5, 6, 7 free
    e[0x211] = 0b00000011;  // 8, 9 free
    auto entry = parse_bitmap_entry(e.data(), 0x10C00002, 200, problem);
    ASSERT_TRUE(entry) << problem;
    EXPECT_EQ(entry->allocated, (std::vector<std::uint32_t>{0, 1, 4}));
    put32(e, 0x208, 6);
    EXPECT_FALSE(parse_bitmap_entry(e.data(), 0x10C00002, 200, problem));
    EXPECT_NE(problem.find("counts 6 free items but its bits say 7"), std::string::npos);
    put32(e, 0x204, 300);
    EXPECT_FALSE(parse_bitmap_entry(e.data(), 0x10C00002, 200, problem));
    EXPECT_FALSE(parse_bitmap_entry(e.data(), 0x10C00004, 200, problem));
    EXPECT_NE(problem.find("magic"), std::string::npos);
}

TEST(VmfsLayout, InodesAndDirectories) {
    std::vector<std::uint8_t> i(kInodeSize);
    std::string problem;
    EXPECT_FALSE(parse_inode(i.data(), problem));
    put32(i, 0, 0x10C00001);
    put32(i, 0x200, 4);
    put32(i, 0x20C, 2);
    put64(i, 0x214, 2 * kDirentSize);
    put32(i, 0x244, 1);
    put32(i, 0x400, (9u << 6) | 1);
    auto inode = parse_inode(i.data(), problem);
    ASSERT_TRUE(inode);
    EXPECT_EQ(inode->blocks.size(), 256u);
    EXPECT_EQ(fb_item(inode->blocks[0]), 9u);
    put32(i, 0x244, kInlineZla);
    EXPECT_TRUE(parse_inode(i.data(), problem)->blocks.empty());

    std::vector<std::uint8_t> d(2 * kDirentSize);
    put32(d, 0, 2);
    put32(d, 4, 4);
    std::memcpy(&d[12], ".fbb.sf", 7);
    put32(d, kDirentSize + 4, 0x00400044);
    std::memcpy(&d[kDirentSize + 12], std::string(128, 'x').data(), 128);  // no terminator
    auto entries = parse_directory(d.data(), d.size());
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].name, ".fbb.sf");
    EXPECT_EQ(entries[1].name.size(), 128u);
}

}  // namespace
}  // namespace kura::vmfs
