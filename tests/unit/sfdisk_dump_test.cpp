// `<disk>-pt.sf`: kura's dump of a table it read itself must be what `sfdisk -d` prints for
// the same disk (with the device names a /dev/loop3 would have), and kura must read
// sfdisk's dumps back into the same table - for an MBR with logical partitions and for a
// GPT with names, attributes and a chosen disk GUID. The images are sparse files made by
// the real sfdisk in a temporary directory.
#include "core/error.h"
#include "device/device.h"
#include "ptable/clonezilla_table_files.h"
#include "ptable_support.h"

namespace kura {
namespace {

using namespace kura::test;

PartitionTable read_image(const std::string& image, std::vector<std::string>& warnings) {
    Device d = Device::open(image, Access::read_only, Role::source);
    return read_partition_table(d, 512, warnings);
}

TEST(SfdiskDump, MbrWithLogicalPartitionsMatchesSfdisk) {
    TempDir dir;
    std::string image = make_image(dir, "mbr.img", sample_disk_bytes);
    sfdisk_script(dir, image, mbr_script);
    std::vector<std::string> warnings;
    PartitionTable t = read_image(image, warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    ASSERT_EQ(t.partitions.size(), 7u);
    EXPECT_EQ(t.partitions[3].type, "5");
    EXPECT_EQ(t.partitions[4].number, 5);
    EXPECT_EQ(t.partitions[6].number, 7);
    EXPECT_TRUE(t.partitions[0].bootable);
    expect_same_dump(sfdisk_dump_as(image, "loop3"), sfdisk_dump_text(t, "loop3"));
    // A disk name ending in a letter: sda5, not sdap5.
    expect_same_dump(sfdisk_dump_as(image, "sda"), sfdisk_dump_text(t, "sda"));
}

TEST(SfdiskDump, GptWithNamesAndAttributesMatchesSfdisk) {
    TempDir dir;
    std::string image = make_image(dir, "gpt.img", sample_disk_bytes);
    sfdisk_script(dir, image, gpt_script);
    std::vector<std::string> warnings;
    PartitionTable t = read_image(image, warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    ASSERT_EQ(t.partitions.size(), 4u);
    EXPECT_EQ(t.label_id, "01234567-89AB-CDEF-0123-456789ABCDEF");
    EXPECT_EQ(t.partitions[1].attrs, "RequiredPartition LegacyBIOSBootable GUID:60,63");
    EXPECT_EQ(t.partitions[2].name, "data \"quoted\"");
    expect_same_dump(sfdisk_dump_as(image, "loop3"), sfdisk_dump_text(t, "loop3"));
    expect_same_dump(sfdisk_dump_as(image, "nvme0n1"), sfdisk_dump_text(t, "nvme0n1"));
}

TEST(SfdiskDump, GptNonAsciiNamesAndShortTableMatchSfdisk) {
    TempDir dir;
    std::string image = make_image(dir, "gpt.img", 64ull << 20);
    sfdisk_script(dir, image,
                  "label: gpt\ntable-length: 64\n\n"
                  "start=2048, size=4096, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
                  "start=8192, size=4096, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n");
    must("sgdisk -c 1:'\xe6\x97\xa5\xe6\x9c\xac' -c 2:'tab`$\\x' " + sh(image) + " >/dev/null 2>&1");
    std::vector<std::string> warnings;
    PartitionTable t = read_image(image, warnings);
    EXPECT_EQ(t.gpt_entries, 64u);
    EXPECT_EQ(t.partitions[0].name, "\xe6\x97\xa5\xe6\x9c\xac");
    EXPECT_EQ(t.partitions[1].name, "tab`$\\x");
    expect_same_dump(sfdisk_dump_as(image, "sdb"), sfdisk_dump_text(t, "sdb"));
}

TEST(SfdiskDump, LegacyLayoutsMatchSfdisk) {
    for (const char* script : {legacy_mbr_script, legacy_gpt_script}) {
        TempDir dir;
        std::string image = make_image(dir, "disk.img", sample_disk_bytes);
        sfdisk_script(dir, image, script);
        std::vector<std::string> warnings;
        PartitionTable t = read_image(image, warnings);
        EXPECT_TRUE(warnings.empty()) << warnings.front();
        expect_same_dump(sfdisk_dump_as(image, "sdc"), sfdisk_dump_text(t, "sdc"));
    }
}

TEST(SfdiskDump, ParsesSfdiskOutputBackIntoTheSameTable) {
    for (const char* script : {mbr_script, gpt_script, legacy_mbr_script, legacy_gpt_script}) {
        TempDir dir;
        std::string image = make_image(dir, "disk.img", sample_disk_bytes);
        sfdisk_script(dir, image, script);
        std::vector<std::string> warnings;
        PartitionTable read = read_image(image, warnings);
        PartitionTable parsed = parse_sfdisk_dump(must("sfdisk -d " + sh(image)));
        expect_same_table(read, parsed, false);
        // And kura's own dump reads back the same way.
        expect_same_table(read, parse_sfdisk_dump(sfdisk_dump_text(read, "sda")), false);
    }
}

TEST(SfdiskDump, ReadsOldSfdiskDumpsWithoutLabelLine) {
    // The format of util-linux before 2.26 (Clonezilla images from those years).
    PartitionTable t = parse_sfdisk_dump(
        "# partition table of /dev/sda\n"
        "unit: sectors\n\n"
        "/dev/sda1 : start=       63, size=  1028097, Id=83, bootable\n"
        "/dev/sda2 : start=  1028160, size=  2104515, Id= 5\n"
        "/dev/sda3 : start=        0, size=        0, Id= 0\n"
        "/dev/sda4 : start=        0, size=        0, Id= 0\n"
        "/dev/sda5 : start=  1028223, size=  2104452, Id=82\n");
    EXPECT_EQ(t.kind, TableKind::mbr);
    ASSERT_EQ(t.partitions.size(), 3u);
    EXPECT_EQ(t.partitions[0].start, 63u);
    EXPECT_TRUE(t.partitions[0].bootable);
    EXPECT_EQ(t.partitions[1].type, "5");
    EXPECT_EQ(t.partitions[2].number, 5);
    EXPECT_EQ(t.partitions[2].type, "82");
    EXPECT_EQ(t.sector_size, 512u);
}

TEST(SfdiskDump, NumbersUnnamedLinesLikeSfdisk) {
    PartitionTable t = parse_sfdisk_dump(
        "label: dos\n\nstart=2048, size=1000, type=83\nstart=4096, size=100000, type=5\n"
        "start=6144, size=1000, type=83\nstart=8192, size=1000, type=82\n");
    ASSERT_EQ(t.partitions.size(), 4u);
    EXPECT_EQ(t.partitions[2].number, 5);
    EXPECT_EQ(t.partitions[3].number, 6);
}

TEST(SfdiskDump, NamesTheLineItCannotRead) {
    auto message = [](const std::string& text) {
        try {
            parse_sfdisk_dump(text);
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ExitCode::image_corrupt);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message("label: dos\n\n/dev/sda1 : start=2048, size=12x, type=83\n").find("line 3"), std::string::npos);
    EXPECT_NE(message("label: gpt\n\n/dev/sda1 : start=2048, size=100, type=83\n").find("not a GUID"),
              std::string::npos);
    EXPECT_NE(message("label: dos\n/dev/sda1 : start=2048, size=100, type=83, colour=red\n").find("colour"),
              std::string::npos);
    EXPECT_NE(message("label: sun\n").find("sun"), std::string::npos);
    EXPECT_NE(message("label: dos\n/dev/sda1 : start=1, size=1, type=83\n/dev/sda1 : start=9, size=1, type=83\n")
                  .find("twice"),
              std::string::npos);
}

}  // namespace
}  // namespace kura
