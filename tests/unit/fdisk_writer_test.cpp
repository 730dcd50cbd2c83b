// write_partition_table against the real tools: a table kura read from an sfdisk-made
// image, written with libfdisk onto a fresh zero file of the same size, gives the very
// same bytes sfdisk wrote; on a larger file the same table with GPT's backup at the new
// end; sfdisk --verify and sgdisk -v find nothing wrong; stale tables and signatures of
// the target's former life are gone. On a loop device the test attaches itself, the
// kernel shows the new partitions afterwards.
#include "core/error.h"
#include "device/device.h"
#include "ptable/clonezilla_table_files.h"
#include "ptable_support.h"

#include <sys/stat.h>

namespace kura {
namespace {

using namespace kura::test;

PartitionTable read_image(const std::string& image, std::uint32_t ss = 512) {
    std::vector<std::string> warnings;
    Device d = Device::open(image, Access::read_only, Role::source);
    PartitionTable t = read_partition_table(d, ss, warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    return t;
}

void write_image(const std::string& image, const PartitionTable& t) {
    Device d = Device::open(image, Access::read_write, Role::target);
    write_partition_table(d, t);
    // The device stays usable: libfdisk must not have closed kura's descriptor.
    std::uint8_t b[2];
    d.read_at(b, 2, 510);
    EXPECT_EQ(b[0], 0x55);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void expect_verified(const std::string& image, TableKind kind) {
    EXPECT_TRUE(contains(must("sfdisk --verify " + sh(image) + " 2>&1"), "No errors detected"));
    if (kind == TableKind::gpt) {
        RunResult v = run("sgdisk -v " + sh(image) + " 2>&1");
        EXPECT_EQ(v.status, 0);
        EXPECT_TRUE(contains(v.out, "No problems found")) << v.out;
    }
}

class FdiskWriter : public ::testing::Test {
protected:
    TempDir dir;
};

TEST_F(FdiskWriter, SameSizeGivesTheBytesSfdiskWrote) {
    for (const char* script : {mbr_script, gpt_script, legacy_mbr_script, legacy_gpt_script}) {
        std::string source = make_image(dir, "source.img", sample_disk_bytes);
        sfdisk_script(dir, source, script);
        PartitionTable t = read_image(source);
        std::string target = make_image(dir, "target.img", sample_disk_bytes);
        write_image(target, t);
        expect_same_dump(sfdisk_dump_as(source, "loop3"), sfdisk_dump_as(target, "loop3"));
        // Sector 0, every EBR, both GPT headers and arrays: byte for byte what sfdisk made.
        EXPECT_EQ(run("cmp " + sh(source) + " " + sh(target)).status, 0) << table_kind_name(t.kind);
        expect_verified(target, t.kind);
    }
}

TEST_F(FdiskWriter, LargerDiskGetsTheBackupGptAtItsEnd) {
    std::string source = make_image(dir, "source.img", sample_disk_bytes);
    sfdisk_script(dir, source, gpt_script);
    PartitionTable saved = read_image(source);
    const std::uint64_t big = 2 * sample_disk_bytes;
    std::string target = make_image(dir, "target.img", big);
    write_image(target, fit_table(saved, big / 512, 512, false));
    expect_verified(target, TableKind::gpt);

    std::string expected = sfdisk_dump_as(source, "sda");
    std::string actual = sfdisk_dump_as(target, "sda");
    const std::string old_last = "last-lba: " + std::to_string(saved.last_lba);
    const std::string new_last = "last-lba: " + std::to_string(big / 512 - 34);
    ASSERT_TRUE(contains(expected, old_last));
    expected.replace(expected.find(old_last), old_last.size(), new_last);
    expect_same_dump(expected, actual);

    auto backup = read_bytes(target, big - 512, 512);
    EXPECT_EQ(std::string(backup.begin(), backup.begin() + 8), "EFI PART");
    EXPECT_EQ(get_le32(backup, 24), big / 512 - 1);  // this header's own LBA
    auto primary = read_bytes(target, 512, 512);
    EXPECT_EQ(get_le32(primary, 32), big / 512 - 1);  // where the primary says the backup is
    PartitionTable back = read_image(target);
    EXPECT_EQ(back.last_lba, big / 512 - 34);
}

TEST_F(FdiskWriter, LargerDiskKeepsTheMbrLayout) {
    std::string source = make_image(dir, "source.img", sample_disk_bytes);
    sfdisk_script(dir, source, mbr_script);
    PartitionTable saved = read_image(source);
    std::string target = make_image(dir, "target.img", 2 * sample_disk_bytes);
    write_image(target, fit_table(saved, 2 * sample_disk_bytes / 512, 512, false));
    expect_same_dump(sfdisk_dump_as(source, "sda"), sfdisk_dump_as(target, "sda"));
    expect_verified(target, TableKind::mbr);
}

TEST_F(FdiskWriter, GrownTablesAreValid) {
    for (const char* script : {mbr_script, gpt_script}) {
        std::string source = make_image(dir, "source.img", sample_disk_bytes);
        sfdisk_script(dir, source, script);
        PartitionTable saved = read_image(source);
        std::string target = make_image(dir, "target.img", 3 * sample_disk_bytes);
        PartitionTable grown = fit_table(saved, 3 * sample_disk_bytes / 512, 512, true);
        write_image(target, grown);
        expect_verified(target, saved.kind);
        expect_same_table(grown, read_image(target));
    }
}

TEST_F(FdiskWriter, SmallerDiskWhereEverythingFits) {
    std::string source = make_image(dir, "source.img", sample_disk_bytes);
    sfdisk_script(dir, source, gpt_script);
    PartitionTable saved = read_image(source);
    const std::uint64_t small = (299008 + 33) * 512ull;  // the last partition ends at 299007
    std::string target = make_image(dir, "target.img", small);
    write_image(target, fit_table(saved, small / 512, 512, false));
    expect_verified(target, TableKind::gpt);
    EXPECT_EQ(read_image(target).last_lba, 299007u);
    // Without fit_table the writer refuses a table that does not fit, before writing.
    std::string tiny = make_image(dir, "tiny.img", 100ull << 20);
    Device d = Device::open(tiny, Access::read_write, Role::target);
    EXPECT_THROW(write_partition_table(d, saved), Error);
    EXPECT_EQ(run("cmp -n 1048576 " + sh(tiny) + " /dev/zero").status, 0);
}

TEST_F(FdiskWriter, StaleTablesAndSignaturesAreRemoved) {
    // The target held a GPT and, before that, an ext4 on the whole disk.
    std::string target = make_image(dir, "target.img", sample_disk_bytes);
    must("mkfs.ext4 -q -F " + sh(target) + " >/dev/null 2>&1");
    sfdisk_script(dir, target, "label: gpt\n\nstart=4096, size=100000, type=L\n");
    std::string source = make_image(dir, "source.img", sample_disk_bytes);
    sfdisk_script(dir, source, mbr_script);
    write_image(target, read_image(source));
    std::string sigs = must("wipefs --no-act " + sh(target));
    EXPECT_TRUE(contains(sigs, "dos")) << sigs;
    EXPECT_FALSE(contains(sigs, "gpt")) << sigs;
    EXPECT_FALSE(contains(sigs, "ext4")) << sigs;
    expect_same_dump(sfdisk_dump_as(source, "sda"), sfdisk_dump_as(target, "sda"));
}

TEST_F(FdiskWriter, KeepsTheProtectiveMbrBootFlag) {
    std::string source = make_image(dir, "source.img", sample_disk_bytes);
    sfdisk_script(dir, source, gpt_script);
    must("parted -s " + sh(source) + " disk_set pmbr_boot on");
    PartitionTable t = read_image(source);
    EXPECT_TRUE(t.pmbr_boot);
    std::string target = make_image(dir, "target.img", sample_disk_bytes);
    write_image(target, t);
    EXPECT_TRUE(contains(must("parted -s " + sh(target) + " unit s print"), "Disk Flags: pmbr_boot"));
    EXPECT_TRUE(read_image(target).pmbr_boot);
}

TEST_F(FdiskWriter, FourKiBSectorTablesOnImageFiles) {
    // sfdisk takes the sector size from the device, so the source is made through a loop
    // device with 4096-byte sectors; kura writes the copy straight into a file.
    std::string source = make_image(dir, "source.img", sample_disk_bytes);
    {
        LoopDevice loop(source, "-b 4096");
        if (loop.path().empty()) GTEST_SKIP() << "no loop device: " << loop.error();
        sfdisk_script(dir, loop.path(),
                      "label: gpt\n\nstart=256, size=8192, type=L, name=\"a\"\nstart=8448, size=4095, type=S\n");
    }
    PartitionTable t = read_image(source, 4096);
    ASSERT_EQ(t.partitions.size(), 2u);
    EXPECT_EQ(t.sector_size, 4096u);
    EXPECT_EQ(t.last_lba, sample_disk_bytes / 4096 - 6);
    std::string target = make_image(dir, "target.img", sample_disk_bytes);
    write_image(target, t);
    EXPECT_EQ(run("cmp " + sh(source) + " " + sh(target)).status, 0);
    expect_same_table(t, read_image(target, 4096));
}

bool block_node(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
}

TEST_F(FdiskWriter, KernelSeesTheNewPartitionsOfALoopDevice) {
    std::string source = make_image(dir, "source.img", sample_disk_bytes);
    sfdisk_script(dir, source, mbr_script);
    PartitionTable t = read_image(source);
    std::string file = make_image(dir, "loop.img", sample_disk_bytes);
    LoopDevice loop(file);
    if (loop.path().empty()) GTEST_SKIP() << "no loop device: " << loop.error();
    const std::string name = loop.path().substr(5);
    {
        Device d = Device::open(loop.path(), Access::read_write, Role::target);
        write_partition_table(d, t);
        // Attached without partition scanning, BLKRRPART is refused: BLKPG must do it.
        reread_partitions(d, t);
    }
    for (const auto& p : t.partitions) {
        const std::string part = partition_name(name, p.number);
        EXPECT_TRUE(block_node("/dev/" + part)) << part;
        EXPECT_EQ(read_text("/sys/class/block/" + part + "/start"), std::to_string(p.start) + "\n") << part;
        const std::uint64_t sysfs_size = p.is_extended() ? 2 : p.size;  // the kernel shows 1 KiB of it
        EXPECT_EQ(read_text("/sys/class/block/" + part + "/size"), std::to_string(sysfs_size) + "\n") << part;
    }
    // A second table with fewer partitions: the old nodes go away.
    PartitionTable smaller = parse_sfdisk_dump("label: dos\n\n/dev/x1 : start=2048, size=4096, type=83\n");
    smaller.disk_sectors = t.disk_sectors;
    {
        Device d = Device::open(loop.path(), Access::read_write, Role::target);
        write_partition_table(d, smaller);
        reread_partitions(d, smaller);
    }
    EXPECT_TRUE(block_node("/dev/" + partition_name(name, 1)));
    EXPECT_EQ(read_text("/sys/class/block/" + partition_name(name, 1) + "/size"), "4096\n");
    EXPECT_FALSE(std::filesystem::exists("/sys/class/block/" + partition_name(name, 5)));
}

TEST_F(FdiskWriter, RereadIsANoOpForFiles) {
    std::string image = make_image(dir, "disk.img", sample_disk_bytes);
    sfdisk_script(dir, image, mbr_script);
    Device d = Device::open(image, Access::read_write, Role::target);
    reread_partitions(d, read_image(image));
}

}  // namespace
}  // namespace kura
