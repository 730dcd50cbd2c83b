// Reading tables and laying them onto other disks: what is a table and what is a
// filesystem on the whole disk, damage in a GPT (either header's CRC, the entry array's
// CRC, a backup cut off or zeroed) and in an MBR (an EBR chain that loops or leaves the
// extended partition, a partition past the end of the disk), and fit_table's decisions
// for equal, larger and smaller targets. Images are sparse files made with sfdisk and mkfs.
#include "core/error.h"
#include "device/device.h"
#include "ptable/clonezilla_table_files.h"
#include "ptable_support.h"

#include <filesystem>

namespace kura {
namespace {

using namespace kura::test;

PartitionTable read_image(const std::string& image, std::vector<std::string>& warnings) {
    Device d = Device::open(image, Access::read_only, Role::source);
    return read_partition_table(d, 512, warnings);
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

// The message of the Error reading `image` throws, or "" when it reads.
std::string read_error(const std::string& image, ExitCode expected = ExitCode::source_unsupported) {
    std::vector<std::string> warnings;
    try {
        read_image(image, warnings);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), expected);
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class PartitionTables : public ::testing::Test {
protected:
    std::string make(const char* script) {
        std::string image = make_image(dir, "disk.img", sample_disk_bytes);
        sfdisk_script(dir, image, script);
        return image;
    }
    PartitionTable read(const std::string& image) {
        warnings.clear();
        return read_image(image, warnings);
    }
    TempDir dir;
    std::vector<std::string> warnings;
};

TEST_F(PartitionTables, WholeDiskFilesystemsAreNoTable) {
    std::string image = make_image(dir, "fat.img", 64ull << 20);
    must("mkfs.vfat -F 32 " + sh(image) + " >/dev/null 2>&1");
    // A FAT boot sector ends in 55AA like an MBR, and its BPB is no partition table.
    EXPECT_EQ(read_bytes(image, 510, 2), (std::vector<std::uint8_t>{0x55, 0xAA}));
    EXPECT_EQ(read(image).kind, TableKind::none);
    EXPECT_EQ(read(image).disk_sectors, (64u << 20) / 512);

    image = make_image(dir, "ntfs.img", 64ull << 20);
    must("mkntfs -F -Q -q " + sh(image) + " >/dev/null 2>&1");
    EXPECT_EQ(read(image).kind, TableKind::none);

    image = make_image(dir, "ext4.img", 64ull << 20);
    must("mkfs.ext4 -q -F " + sh(image) + " >/dev/null 2>&1");
    EXPECT_EQ(read(image).kind, TableKind::none);

    image = make_image(dir, "zero.img", 64ull << 20);
    PartitionTable empty = read(image);
    EXPECT_EQ(empty.kind, TableKind::none);
    EXPECT_TRUE(empty.partitions.empty());
    EXPECT_TRUE(warnings.empty());
}

TEST_F(PartitionTables, LeftoverWholeDiskSignatureBeforeTheFirstPartitionIsAWarning) {
    std::string image = make(mbr_script);
    std::string scratch = make_image(dir, "ext4.img", 16ull << 20);
    must("mkfs.ext4 -q -F " + sh(scratch) + " >/dev/null 2>&1");
    write_bytes(image, 1024, read_bytes(scratch, 1024, 1024));  // its superblock, in the post-MBR gap
    PartitionTable t = read(image);
    EXPECT_EQ(t.kind, TableKind::mbr);
    EXPECT_EQ(t.partitions.size(), 7u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], "ext4 signature")) << warnings[0];
}

TEST_F(PartitionTables, FourKiBGptReadWithSmallSectorsSaysSo) {
    std::string image = make_image(dir, "4k.img", sample_disk_bytes);
    {
        LoopDevice loop(image, "-b 4096");
        if (loop.path().empty()) GTEST_SKIP() << "no loop device: " << loop.error();
        sfdisk_script(dir, loop.path(), "label: gpt\n\nstart=256, size=1024, type=L\n");
    }
    std::string e = read_error(image);
    EXPECT_TRUE(contains(e, "4096-byte sectors")) << e;
    Device d = Device::open(image, Access::read_only, Role::source);
    EXPECT_EQ(read_partition_table(d, 4096, warnings).partitions.size(), 1u);
}

TEST_F(PartitionTables, ModelHelpers) {
    PartitionTable t = read(make(mbr_script));
    EXPECT_EQ(table_kind_name(t.kind), "dos");
    EXPECT_EQ(t.first_partition_start(), 2048u);
    EXPECT_EQ(t.end_of_partitions(), sample_disk_bytes / 512);
    ASSERT_NE(t.find(5), nullptr);
    EXPECT_EQ(t.find(5)->start, 235520u);
    EXPECT_EQ(t.find(8), nullptr);
    EXPECT_TRUE(t.find(4)->is_extended());
    EXPECT_FALSE(t.find(1)->is_extended());
    EXPECT_EQ(table_kind_name(TableKind::gpt), "gpt");
    EXPECT_EQ(table_kind_name(TableKind::none), "none");
}

TEST_F(PartitionTables, GptPrimaryHeaderCrcDamageReadsTheBackup) {
    std::string image = make(gpt_script);
    PartitionTable good = read(image);
    auto header = read_bytes(image, 512, 92);
    header[40] ^= 0x01;  // first usable LBA: covered by the header CRC
    write_bytes(image, 512, header);
    PartitionTable t = read(image);
    expect_same_table(good, t);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], "primary GPT header at LBA 1")) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], "header CRC mismatch")) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], "read from the backup")) << warnings[0];
}

TEST_F(PartitionTables, GptEntriesCrcDamageIsNamed) {
    std::string image = make(gpt_script);
    PartitionTable good = read(image);
    auto entry = read_bytes(image, 1024 + 56, 2);
    entry[0] ^= 0x20;  // a letter of partition 1's name changes case
    write_bytes(image, 1024 + 56, entry);
    PartitionTable t = read(image);
    expect_same_table(good, t);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], "partition entries CRC mismatch")) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], "primary")) << warnings[0];
}

TEST_F(PartitionTables, GptBackupCutOffOrZeroedIsAWarning) {
    std::string image = make(gpt_script);
    PartitionTable good = read(image);

    std::filesystem::resize_file(image, sample_disk_bytes - (1 << 20));  // an image copied short
    PartitionTable t = read(image);
    EXPECT_EQ(t.partitions.size(), good.partitions.size());
    ASSERT_EQ(warnings.size(), 2u) << joined(warnings);
    EXPECT_TRUE(contains(warnings[0], "backup GPT header at LBA 524287")) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], "past the end of the disk")) << warnings[0];
    EXPECT_TRUE(contains(warnings[1], "last usable LBA")) << warnings[1];

    image = make(gpt_script);
    write_bytes(image, sample_disk_bytes - 33 * 512, std::vector<std::uint8_t>(33 * 512, 0));
    t = read(image);
    expect_same_table(good, t);
    ASSERT_EQ(warnings.size(), 1u) << joined(warnings);
    EXPECT_TRUE(contains(warnings[0], "backup GPT header")) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], "zeroed")) << warnings[0];
}

TEST_F(PartitionTables, GptBackupHeaderCrcDamageIsAWarning) {
    std::string image = make(gpt_script);
    auto header = read_bytes(image, sample_disk_bytes - 512, 92);
    header[16] ^= 0xFF;
    write_bytes(image, sample_disk_bytes - 512, header);
    read(image);
    ASSERT_EQ(warnings.size(), 1u) << joined(warnings);
    EXPECT_TRUE(contains(warnings[0], "backup GPT header at LBA 524287 is damaged: header CRC mismatch"))
        << warnings[0];
}

TEST_F(PartitionTables, GptWithBothCopiesDamagedIsRefused) {
    std::string image = make(gpt_script);
    write_bytes(image, 512, std::vector<std::uint8_t>(512, 0));
    write_bytes(image, sample_disk_bytes - 512, std::vector<std::uint8_t>{'X'});
    std::string e = read_error(image);
    EXPECT_TRUE(contains(e, "no intact copy")) << e;
    EXPECT_TRUE(contains(e, "primary header at LBA 1: the sector is zeroed")) << e;
    EXPECT_TRUE(contains(e, "backup header at LBA 524287: no \"EFI PART\" signature")) << e;
}

TEST_F(PartitionTables, GptHeaderWithoutProtectiveMbrIsIgnored) {
    std::string image = make(gpt_script);
    write_bytes(image, 446, std::vector<std::uint8_t>(66, 0));  // no entries, no 55AA
    PartitionTable t = read(image);
    EXPECT_EQ(t.kind, TableKind::none);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], "no protective MBR")) << warnings[0];
}

TEST_F(PartitionTables, EbrChainLoopIsRefused) {
    std::string image = make(mbr_script);
    const std::uint64_t ext = 233472;
    auto first = read_bytes(image, ext * 512, 512);
    const std::uint64_t second = ext + get_le32(first, 446 + 16 + 8);
    // The second EBR's link points back at the first EBR (relative start 0).
    write_bytes(image, second * 512 + 446 + 16 + 8, {0, 0, 0, 0});
    std::string e = read_error(image);
    EXPECT_TRUE(contains(e, "EBR chain of extended partition 4 loops")) << e;
    EXPECT_TRUE(contains(e, "sector " + std::to_string(second))) << e;
}

TEST_F(PartitionTables, EbrLinkOutsideTheExtendedPartitionIsRefused) {
    std::string image = make(mbr_script);
    write_bytes(image, 233472ull * 512 + 446 + 16 + 8, {0x00, 0x00, 0x10, 0x00});  // +1 Mi sectors
    std::string e = read_error(image);
    EXPECT_TRUE(contains(e, "outside extended partition 4")) << e;
}

TEST_F(PartitionTables, MbrPartitionPastTheDiskEndIsRefused) {
    std::string image = make(mbr_script);
    std::filesystem::resize_file(image, sample_disk_bytes - (1 << 20));
    std::string e = read_error(image);
    EXPECT_TRUE(contains(e, "partition 4 (sectors 233472-524287) extends past the end of the disk (522240 sectors)"))
        << e;
}

TEST_F(PartitionTables, EbrWithoutSignatureIsRefused) {
    std::string image = make(mbr_script);
    auto first = read_bytes(image, 233472ull * 512, 512);
    const std::uint64_t second = 233472 + get_le32(first, 446 + 16 + 8);
    write_bytes(image, second * 512 + 510, {0, 0});
    std::string e = read_error(image);
    EXPECT_TRUE(contains(e, "EBR at sector " + std::to_string(second))) << e;
    EXPECT_TRUE(contains(e, "no 55AA signature")) << e;
}

// fit_table

PartitionTable parsed(const std::string& dump) { return parse_sfdisk_dump(dump); }

std::string fit_error(const PartitionTable& t, std::uint64_t sectors, std::uint32_t ss, bool grow) {
    try {
        fit_table(t, sectors, ss, grow);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::target_refused);
        return e.what();
    }
    return "";
}

TEST_F(PartitionTables, FitOntoEqualAndLargerDisks) {
    for (const char* script : {mbr_script, gpt_script}) {
        PartitionTable t = read(make(script));
        PartitionTable same = fit_table(t, t.disk_sectors, 512, false);
        expect_same_table(t, same);
        PartitionTable larger = fit_table(t, 2 * t.disk_sectors, 512, false);
        EXPECT_EQ(larger.disk_sectors, 2 * t.disk_sectors);
        if (t.kind == TableKind::gpt) {
            EXPECT_EQ(larger.last_lba, 2 * t.disk_sectors - 34);
            larger.last_lba = t.last_lba;
        }
        larger.disk_sectors = t.disk_sectors;
        expect_same_table(t, larger);  // partitions do not move
    }
}

TEST_F(PartitionTables, FitOntoSmallerDiskWhenEverythingFits) {
    PartitionTable gpt = read(make(gpt_script));  // ends at sector 299007
    PartitionTable fitted = fit_table(gpt, 299008 + 33, 512, false);
    EXPECT_EQ(fitted.last_lba, 299007u);
    EXPECT_EQ(fitted.partitions.size(), 4u);

    PartitionTable mbr = parsed("label: dos\n\n/dev/sda1 : start=2048, size=10000, type=83\n"
                                "/dev/sda2 : start=12048, size=50000, type=5\n"
                                "/dev/sda5 : start=14096, size=20000, type=83\n");
    mbr.disk_sectors = 1 << 20;
    EXPECT_EQ(fit_table(mbr, 62048, 512, false).partitions.size(), 3u);
}

TEST_F(PartitionTables, SmallerDiskWhereTheLastPartitionDoesNotFitIsRefused) {
    PartitionTable gpt = read(make(gpt_script));
    std::string e = fit_error(gpt, 299008 + 32, 512, false);
    EXPECT_TRUE(contains(e, "partition 4 (sectors 266240-299007) does not fit")) << e;
    EXPECT_TRUE(contains(e, "last usable sector is 299006")) << e;
    EXPECT_TRUE(contains(e, "1 more sector (1 MiB) is needed")) << e;

    PartitionTable mbr = read(make(mbr_script));
    e = fit_error(mbr, mbr.disk_sectors - 1, 512, true);
    EXPECT_TRUE(contains(e, "partition 4 (sectors 233472-524287) does not fit")) << e;
}

TEST_F(PartitionTables, MinTargetSectorsIsTheSmallestDiskFitTableAccepts) {
    PartitionTable gpt = read(make(gpt_script));  // ends at sector 299007; 32 entry sectors + header
    EXPECT_EQ(min_target_sectors(gpt), 299008u + 33);
    PartitionTable mbr = read(make(mbr_script));
    EXPECT_EQ(min_target_sectors(mbr), mbr.partitions.back().end());
    for (const PartitionTable& t : {gpt, mbr}) {
        std::uint64_t least = min_target_sectors(t);
        EXPECT_EQ(fit_error(t, least, 512, false), "");
        EXPECT_NE(fit_error(t, least - 1, 512, false), "");
    }
    PartitionTable extended = parsed("label: dos\n\n/dev/sda1 : start=2048, size=10000, type=83\n"
                                     "/dev/sda2 : start=12048, size=50000, type=5\n"
                                     "/dev/sda5 : start=14096, size=20000, type=83\n");
    EXPECT_EQ(min_target_sectors(extended), 62048u);  // the extended container's end counts
    PartitionTable none;
    none.kind = TableKind::none;
    none.disk_sectors = 4096;
    EXPECT_EQ(min_target_sectors(none), 4096u);
}

TEST_F(PartitionTables, DifferentSectorSizeIsRefused) {
    PartitionTable gpt = read(make(gpt_script));
    std::string e = fit_error(gpt, gpt.disk_sectors / 8, 4096, false);
    EXPECT_TRUE(contains(e, "512-byte sectors")) << e;
    EXPECT_TRUE(contains(e, "4096-byte sectors")) << e;
}

TEST_F(PartitionTables, GrowExtendsTheLastGptPartition) {
    PartitionTable gpt = read(make(gpt_script));
    PartitionTable grown = fit_table(gpt, 4 * gpt.disk_sectors, 512, true);
    EXPECT_EQ(grown.last_lba, 4 * gpt.disk_sectors - 34);
    EXPECT_EQ(grown.partitions[3].end(), grown.last_lba + 1);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(grown.partitions[i].size, gpt.partitions[i].size);
}

TEST_F(PartitionTables, GrowExtendsTheLastLogicalAndItsExtendedContainer) {
    PartitionTable mbr = parsed("label: dos\n\n/dev/sda1 : start=2048, size=10000, type=83\n"
                                "/dev/sda2 : start=12048, size=50000, type=5\n"
                                "/dev/sda5 : start=14096, size=20000, type=83\n"
                                "/dev/sda6 : start=36144, size=20000, type=82\n");
    mbr.disk_sectors = 62048;
    PartitionTable grown = fit_table(mbr, 1 << 20, 512, true);
    EXPECT_EQ(grown.find(2)->end(), 1u << 20);
    EXPECT_EQ(grown.find(6)->end(), 1u << 20);
    EXPECT_EQ(grown.find(5)->size, 20000u);
    EXPECT_EQ(grown.find(1)->size, 10000u);

    // Without --grow nothing changes size.
    PartitionTable kept = fit_table(mbr, 1 << 20, 512, false);
    EXPECT_EQ(kept.find(2)->size, 50000u);
    EXPECT_EQ(kept.find(6)->size, 20000u);
}

TEST_F(PartitionTables, GrowIsRefusedWhenAnEmptyExtendedPartitionFollows) {
    PartitionTable mbr = parsed("label: dos\n\n/dev/sda1 : start=2048, size=10000, type=83\n"
                                "/dev/sda2 : start=12048, size=50000, type=5\n");
    mbr.disk_sectors = 62048;
    std::string e = fit_error(mbr, 1 << 20, 512, true);
    EXPECT_TRUE(contains(e, "partition 1 cannot grow: partition 2 follows it")) << e;
}

}  // namespace
}  // namespace kura
