// The BPB parser on synthetic boot sectors laid out as mkfs.fat writes them.
#include "fs/fat_boot_sector.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <array>

namespace kura {
namespace {

using Sector = std::array<std::uint8_t, fat_boot_sector_bytes>;

void put16(Sector& s, std::size_t at, std::uint32_t v) {
    s[at] = v & 0xFF;
    s[at + 1] = (v >> 8) & 0xFF;
}
void put32(Sector& s, std::size_t at, std::uint32_t v) {
    put16(s, at, v & 0xFFFF);
    put16(s, at + 2, v >> 16);
}

// A FAT12/16 BPB: 512-byte sectors, `spc` sectors per cluster, 1 reserved, 2 FATs, 512 root
// entries (32 sectors).
Sector fat16_style(std::uint32_t total, std::uint32_t spc, std::uint32_t fat_sectors) {
    Sector s{};
    put16(s, 11, 512);
    s[13] = static_cast<std::uint8_t>(spc);
    put16(s, 14, 1);
    s[16] = 2;
    put16(s, 17, 512);
    if (total < 65536) put16(s, 19, total); else put32(s, 32, total);
    s[21] = 0xF8;
    put16(s, 22, fat_sectors);
    s[38] = 0x29;
    s[510] = 0x55;
    s[511] = 0xAA;
    return s;
}

// A FAT32 BPB: 32 reserved sectors, 2 FATs, root directory in cluster 2.
Sector fat32_style(std::uint32_t total, std::uint32_t spc, std::uint32_t fat_sectors) {
    Sector s{};
    put16(s, 11, 512);
    s[13] = static_cast<std::uint8_t>(spc);
    put16(s, 14, 32);
    s[16] = 2;
    put32(s, 32, total);
    s[21] = 0xF8;
    put32(s, 36, fat_sectors);
    put32(s, 44, 2);
    put16(s, 48, 1);
    put16(s, 50, 6);
    s[66] = 0x29;
    s[510] = 0x55;
    s[511] = 0xAA;
    return s;
}

FatLayout parse(const Sector& s) { return parse_fat_boot_sector(s.data(), "test.img"); }

ExitCode code_of(const Sector& s, std::string* message = nullptr) {
    try {
        parse(s);
    } catch (const Error& e) {
        if (message) *message = e.what();
        return e.code();
    }
    return ExitCode::ok;
}

TEST(FatBootSector, Fat12VolumeLayout) {
    // 2 MiB floppy-like volume: 4096 sectors, 4 per cluster, 3-sector FATs.
    const FatLayout f = parse(fat16_style(4096, 4, 3));
    EXPECT_EQ(f.fat_bits, 12u);
    EXPECT_EQ(f.type_name(), "FAT12");
    EXPECT_EQ(f.root_dir_sectors, 32u);
    EXPECT_EQ(f.first_data_sector, 1u + 2 * 3 + 32);
    EXPECT_EQ(f.cluster_count, (4096u - 39) / 4);
    EXPECT_EQ(f.fat_start_sector(1), 4u);
    EXPECT_EQ(f.cluster_sector(2), 39u);
    EXPECT_EQ(f.bad_cluster_mark(), 0xFF7u);
    EXPECT_FALSE(f.boot_sector_dirty);
    EXPECT_EQ(f.only_active_fat, -1);
}

TEST(FatBootSector, Fat16IsChosenByClusterCountNotByLabel) {
    // 32 MiB, 1 sector per cluster: 65,000-odd clusters, FAT16 whatever the label says.
    const FatLayout f = parse(fat16_style(65536, 1, 256));
    EXPECT_EQ(f.fat_bits, 16u);
    EXPECT_EQ(f.total_sectors, 65536u);  // from the 32-bit field, as the 16-bit one is 0
    EXPECT_EQ(f.cluster_count, 65536u - (1 + 512 + 32));
    EXPECT_EQ(f.bad_cluster_mark(), 0xFFF7u);
}

TEST(FatBootSector, Fat32VolumeLayout) {
    // 64 MiB, 1 sector per cluster, 1009-sector FATs (mkfs.fat's choice).
    const FatLayout f = parse(fat32_style(131072, 1, 1009));
    EXPECT_EQ(f.fat_bits, 32u);
    EXPECT_EQ(f.root_dir_sectors, 0u);
    EXPECT_EQ(f.first_data_sector, 32u + 2 * 1009);
    EXPECT_EQ(f.cluster_count, 131072u - 2050);
    EXPECT_EQ(f.bad_cluster_mark(), 0x0FFFFFF7u);
}

TEST(FatBootSector, DirtyFlagIsReadOnlyWithTheExtendedSignature) {
    Sector s = fat16_style(4096, 4, 3);
    s[37] = 0x01;
    EXPECT_TRUE(parse(s).boot_sector_dirty);
    s[38] = 0x00;  // no extended BPB: the byte is not a state field
    EXPECT_FALSE(parse(s).boot_sector_dirty);
    Sector s32 = fat32_style(131072, 1, 1009);
    s32[65] = 0x01;
    EXPECT_TRUE(parse(s32).boot_sector_dirty);
}

TEST(FatBootSector, Fat32WithMirroringOffNamesTheActiveCopy) {
    Sector s = fat32_style(131072, 1, 1009);
    put16(s, 40, 0x80 | 1);
    EXPECT_EQ(parse(s).only_active_fat, 1);
    put16(s, 40, 0x80 | 2);  // copy #3 of 2
    EXPECT_EQ(code_of(s), ExitCode::source_unsupported);
}

TEST(FatBootSector, GarbageFieldsAreRefusedWithTheirName) {
    std::string message;
    Sector s = fat16_style(4096, 4, 3);
    put16(s, 11, 1000);
    EXPECT_EQ(code_of(s, &message), ExitCode::source_unsupported);
    EXPECT_NE(message.find("bytes per sector is 1000"), std::string::npos) << message;
    EXPECT_NE(message.find("test.img"), std::string::npos) << message;

    s = fat16_style(4096, 4, 3);
    s[13] = 0;
    EXPECT_EQ(code_of(s, &message), ExitCode::source_unsupported);
    EXPECT_NE(message.find("sectors per cluster is 0"), std::string::npos) << message;

    s = fat16_style(4096, 4, 3);
    s[13] = 3;
    EXPECT_EQ(code_of(s), ExitCode::source_unsupported);

    s = fat16_style(4096, 4, 3);
    s[16] = 0;
    EXPECT_EQ(code_of(s, &message), ExitCode::source_unsupported);
    EXPECT_NE(message.find("number of FATs is 0"), std::string::npos) << message;

    s = fat32_style(131072, 1, 0);  // FAT32 whose 32-bit FAT size is 0 too
    EXPECT_EQ(code_of(s, &message), ExitCode::source_unsupported);
    EXPECT_NE(message.find("FAT size is 0"), std::string::npos) << message;

    s = fat16_style(4096, 4, 3);
    put16(s, 14, 0);
    EXPECT_EQ(code_of(s), ExitCode::source_unsupported);

    s = fat16_style(0, 4, 3);
    EXPECT_EQ(code_of(s, &message), ExitCode::source_unsupported);
    EXPECT_NE(message.find("0 sectors"), std::string::npos) << message;
}

TEST(FatBootSector, MetadataLargerThanTheVolumeIsRefused) {
    EXPECT_EQ(code_of(fat16_style(30, 4, 3)), ExitCode::source_unsupported);
}

TEST(FatBootSector, AFatTooSmallForTheClustersIsRefused) {
    // 1 sector of FAT12 holds 341 entries; the volume has 1014 clusters.
    std::string message;
    EXPECT_EQ(code_of(fat16_style(4096, 4, 1), &message), ExitCode::source_unsupported);
    EXPECT_NE(message.find("room for 341 entries"), std::string::npos) << message;
}

TEST(FatBootSector, TooManyClustersForFat16IsRefused) {
    EXPECT_EQ(code_of(fat16_style(200000, 1, 65535)), ExitCode::source_unsupported);
}

TEST(FatBootSector, Fat12And16MustHaveARootDirectoryAndFat32MustNot) {
    Sector s = fat16_style(4096, 4, 3);
    put16(s, 17, 0);
    EXPECT_EQ(code_of(s), ExitCode::source_unsupported);
    Sector s32 = fat32_style(131072, 1, 1009);
    put16(s32, 17, 512);
    EXPECT_EQ(code_of(s32), ExitCode::source_unsupported);
}

TEST(FatBootSector, Fat32RootClusterIsKeptForTheConsistencyChecks) {
    // A root cluster past the last one is metadata that lies, refused by the reader's
    // consistency checks (which --fs-force turns into a dd copy), not an unreadable BPB.
    Sector s32 = fat32_style(131072, 1, 1009);
    put32(s32, 44, 200000);
    EXPECT_EQ(parse(s32).root_cluster, 200000u);
}

}  // namespace
}  // namespace kura
