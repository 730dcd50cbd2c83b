// The other Clonezilla layout files, each against the tool whose output it stands for:
// -pt.parted and -pt.parted.compact against parted 3.5 (with real filesystems in the
// partitions, so the File system and Flags columns are exercised), -chs.sf against
// `sfdisk -g`, -gpt-1st/-gpt-2nd against Clonezilla's dd commands, -gpt.gdisk against
// `sgdisk -b` byte for byte, -gpt.sgdisk against `sgdisk -p`.
#include "core/error.h"
#include "device/device.h"
#include "ptable/clonezilla_table_files.h"
#include "ptable_support.h"

#include <filesystem>

namespace kura {
namespace {

using namespace kura::test;

PartitionTable read_image(const std::string& image, std::vector<std::string>* warnings_out = nullptr) {
    std::vector<std::string> warnings;
    Device d = Device::open(image, Access::read_only, Role::source);
    PartitionTable t = read_partition_table(d, 512, warnings);
    if (warnings_out) *warnings_out = warnings;
    return t;
}

// Makes a filesystem with `mkfs` in a scratch file and copies it into the image at `start`.
void put_filesystem(const TempDir& dir, const std::string& image, std::uint64_t start, std::uint64_t sectors,
                    const std::string& mkfs) {
    std::string fs = make_image(dir, "fs.img", sectors * 512);
    must(mkfs + " " + sh(fs) + " >/dev/null 2>&1");
    must("dd if=" + sh(fs) + " of=" + sh(image) + " bs=512 seek=" + std::to_string(start) +
         " conv=notrunc,sparse status=none");
    std::filesystem::remove(fs);
}

// Partition number -> parted's filesystem name, from libblkid's view of each partition
// (what kura's save does through the partition device).
std::map<int, std::string> parted_names(const std::string& image, const PartitionTable& t) {
    std::map<int, std::string> names;
    for (const auto& p : t.partitions) {
        if (p.is_extended()) continue;
        RunResult r = run("blkid -p -o export -O " + std::to_string(p.start * 512) + " -S " +
                          std::to_string(p.size * 512) + " " + sh(image));
        std::string type, version;
        std::istringstream in(r.out);
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("TYPE=", 0) == 0) type = line.substr(5);
            if (line.rfind("VERSION=", 0) == 0) version = line.substr(8);
        }
        std::string name = parted_fs_name(type, version);
        if (!name.empty()) names[p.number] = name;
    }
    return names;
}

// parted's output for an image file, as it would be for /dev/<disk>, without the Model line.
std::string parted_as(const std::string& image, const std::string& disk, const std::string& unit) {
    // (parted exits 1 for a disk it finds no table on, after printing what it knows.)
    std::string out = run("parted -s " + sh(image) + " unit " + unit + " print 2>/dev/null").out;
    std::string from = "Disk " + image + ":";
    std::size_t at = out.find(from);
    if (at != std::string::npos) out.replace(at, from.size(), "Disk /dev/" + disk + ":");
    return out.substr(out.find('\n') + 1);
}

std::string without_first_line(const std::string& s) { return s.substr(s.find('\n') + 1); }

class ClonezillaFiles : public ::testing::Test {
protected:
    TempDir dir;
};

TEST_F(ClonezillaFiles, PartedTextMatchesPartedForMbr) {
    std::string image = make_image(dir, "mbr.img", sample_disk_bytes);
    sfdisk_script(dir, image, mbr_script);
    put_filesystem(dir, image, 2048, 65536, "mkfs.ext4 -q -F");
    put_filesystem(dir, image, 67584, 133120, "mkfs.vfat -F 32");
    put_filesystem(dir, image, 200704, 32768, "mkswap");
    put_filesystem(dir, image, 278528, 40960, "mkfs.ext2 -q -F");
    PartitionTable t = read_image(image);
    auto fs = parted_names(image, t);
    EXPECT_EQ(fs[1], "ext4");
    EXPECT_EQ(fs[2], "fat32");
    EXPECT_EQ(fs[3], "linux-swap(v1)");
    EXPECT_EQ(fs.count(5), 0u);
    const std::string text = parted_print_text(t, "loop3", " (file)", 512, fs);
    EXPECT_EQ(text.substr(0, text.find('\n')), "Model:  (file)");
    expect_same_dump(parted_as(image, "loop3", "s"), without_first_line(text));
    expect_same_dump(parted_as(image, "loop3", "compact"),
                     without_first_line(parted_compact_text(t, "loop3", " (file)", 512, fs)));
    EXPECT_EQ(parted_disk_sectors(text), sample_disk_bytes / 512);
}

TEST_F(ClonezillaFiles, PartedTextMatchesPartedForGpt) {
    std::string image = make_image(dir, "gpt.img", sample_disk_bytes);
    sfdisk_script(dir, image, gpt_script);
    put_filesystem(dir, image, 2048, 65536, "mkfs.vfat");
    put_filesystem(dir, image, 67584, 133120, "mkfs.ext4 -q -F");
    put_filesystem(dir, image, 200704, 65536, "mkntfs -F -Q -q");
    put_filesystem(dir, image, 266240, 32768, "mkswap");
    must("parted -s " + sh(image) + " disk_set pmbr_boot on");
    PartitionTable t = read_image(image);
    auto fs = parted_names(image, t);
    EXPECT_EQ(fs[1], "fat16");
    EXPECT_EQ(fs[3], "ntfs");
    expect_same_dump(parted_as(image, "sda", "s"), without_first_line(parted_print_text(t, "sda", "x", 512, fs)));
    expect_same_dump(parted_as(image, "sda", "compact"),
                     without_first_line(parted_compact_text(t, "sda", "x", 512, fs)));
}

TEST_F(ClonezillaFiles, PartedTextForLegacyLayoutsAndFlags) {
    // Types parted shows flags for, hidden/LBA combinations, and odd sizes.
    const char* scripts[] = {
        legacy_mbr_script,
        legacy_gpt_script,
        "label: dos\n\nstart=2048, size=2048, type=1c, bootable\nstart=4096, size=2048, type=27\n"
        "start=6144, size=2048, type=fd\nstart=8192, size=100000, type=85\nstart=10240, size=2048, type=8e\n"
        "start=14336, size=2048, type=ef\n",
        "label: gpt\n\nstart=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649\n"
        "start=4096, size=2048, type=E3C9E316-0B5C-4DB8-817D-F92DF00215AE, name=\"Microsoft reserved partition\"\n"
        "start=6144, size=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, attrs=\"RequiredPartition LegacyBIOSBootable\"\n"
        "start=8192, size=2048, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n",
    };
    for (const char* script : scripts) {
        std::string image = make_image(dir, "disk.img", 64ull << 20);
        sfdisk_script(dir, image, script);
        PartitionTable t = read_image(image);
        SCOPED_TRACE(script);
        expect_same_dump(parted_as(image, "vda", "s"), without_first_line(parted_print_text(t, "vda", "", 512)));
        expect_same_dump(parted_as(image, "vda", "compact"), without_first_line(parted_compact_text(t, "vda", "", 512)));
    }
}

TEST_F(ClonezillaFiles, PartedTextForWholeDiskFilesystems) {
    std::string image = make_image(dir, "whole.img", 64ull << 20);
    PartitionTable none = read_image(image);
    expect_same_dump(parted_as(image, "sdb", "s"), without_first_line(parted_print_text(none, "sdb", "", 512)));
    must("mkfs.ext4 -q -F " + sh(image) + " >/dev/null 2>&1");
    none = read_image(image);
    std::map<int, std::string> fs{{1, "ext4"}};
    expect_same_dump(parted_as(image, "sdb", "s"), without_first_line(parted_print_text(none, "sdb", "", 512, fs)));
    expect_same_dump(parted_as(image, "sdb", "compact"),
                     without_first_line(parted_compact_text(none, "sdb", "", 512, fs)));
}

TEST_F(ClonezillaFiles, PartedDiskSectors) {
    EXPECT_EQ(parted_disk_sectors("Model: ATA X (scsi)\nDisk /dev/sda: 1953525168s\nSector size (logical/physical): "
                                  "512B/4096B\n"),
              1953525168u);
    EXPECT_THROW(parted_disk_sectors("Model: x\nDisk /dev/sda: 1000GB\n"), Error);
    EXPECT_THROW(parted_disk_sectors(""), Error);
}

TEST_F(ClonezillaFiles, ChsMatchesSfdiskGeometry) {
    for (std::uint64_t bytes : {1ull << 20, 256ull << 20, (1ull << 30) + 512 * 12345, 3ull << 40}) {
        std::string image = make_image(dir, "disk.img", bytes);
        std::string g = must("sfdisk -g " + sh(image));  // "<file>: C cylinders, H heads, S sectors/track"
        unsigned long long c = 0, h = 0, s = 0;
        ASSERT_EQ(std::sscanf(g.substr(g.rfind(": ") + 2).c_str(), "%llu cylinders, %llu heads, %llu sectors", &c, &h,
                              &s),
                  3)
            << g;
        EXPECT_EQ(chs_sf_text(bytes / 512, 512), "cylinders=" + std::to_string(c) + "\nheads=" + std::to_string(h) +
                                                     "\nsectors=" + std::to_string(s) + "\n");
    }
}

std::vector<std::uint8_t> file_bytes(const std::string& path) {
    std::string s = read_text(path);
    return std::vector<std::uint8_t>(s.begin(), s.end());
}

TEST_F(ClonezillaFiles, GptCopiesMatchClonezillasDdAndSgdisk) {
    for (const char* script : {gpt_script, legacy_gpt_script}) {
        std::string image = make_image(dir, "gpt.img", sample_disk_bytes);
        sfdisk_script(dir, image, script);
        PartitionTable t = read_image(image);
        Device d = Device::open(image, Access::read_only, Role::source);
        const std::uint64_t n = sample_disk_bytes / 512;

        must("dd if=" + sh(image) + " of=" + sh(dir.file("gpt-1st")) + " bs=512 count=34 status=none");
        EXPECT_EQ(gpt_first_copy(d, t), file_bytes(dir.file("gpt-1st")));
        // ocs-sr: skip=N-33+1 count=33, which stops at the end after 32 sectors.
        must("dd if=" + sh(image) + " of=" + sh(dir.file("gpt-2nd")) + " bs=512 skip=" + std::to_string(n - 33 + 1) +
             " count=33 status=none");
        EXPECT_EQ(gpt_second_copy(d, t).size(), 16384u);
        EXPECT_EQ(gpt_second_copy(d, t), file_bytes(dir.file("gpt-2nd")));

        must("sgdisk -b " + sh(dir.file("gpt.gdisk")) + " " + sh(image) + " >/dev/null 2>&1");
        EXPECT_EQ(sgdisk_backup(d, t).size(), 17920u);
        EXPECT_EQ(sgdisk_backup(d, t), file_bytes(dir.file("gpt.gdisk")));
        std::filesystem::remove(dir.file("gpt.gdisk"));
    }
}

TEST_F(ClonezillaFiles, SgdiskBackupOfADiskWithADamagedBackupHeader) {
    std::string image = make_image(dir, "gpt.img", sample_disk_bytes);
    sfdisk_script(dir, image, gpt_script);
    write_bytes(image, sample_disk_bytes - 512, std::vector<std::uint8_t>(512, 0));
    std::vector<std::string> warnings;
    PartitionTable t = read_image(image, &warnings);
    EXPECT_EQ(warnings.size(), 1u);
    Device d = Device::open(image, Access::read_only, Role::source);
    must("sgdisk -b " + sh(dir.file("gpt.gdisk")) + " " + sh(image) + " >/dev/null 2>&1");
    EXPECT_EQ(sgdisk_backup(d, t), file_bytes(dir.file("gpt.gdisk")));
}

TEST_F(ClonezillaFiles, SgdiskListingMatchesSgdisk) {
    const char* scripts[] = {
        gpt_script,
        legacy_gpt_script,
        "label: gpt\ntable-length: 64\n\nstart=2048, size=2048, type=12345678-1234-1234-1234-123456789ABC, name=\"x\"\n"
        "start=4096, size=2047, type=L, name=\"a name longer than twenty-two\"\nstart=8192, size=1, type=L\n"
        "start=10240, size=100000, type=AA31E02A-400F-11DB-9590-000C2911D1B8, name=\"\\xe6\\x97\\xa5\\xe6\\x9c\\xac\"\n",
    };
    for (const char* script : scripts) {
        std::string image = make_image(dir, "gpt.img", sample_disk_bytes);
        sfdisk_script(dir, image, script);
        PartitionTable t = read_image(image);
        SCOPED_TRACE(script);
        expect_same_dump(must("sgdisk -p " + sh(image)), sgdisk_print_text(t, image));
    }
}

TEST_F(ClonezillaFiles, ListingsOfABlockDevice) {
    // On a block device parted names the model and sgdisk prints both sector sizes.
    std::string image = make_image(dir, "gpt.img", sample_disk_bytes);
    sfdisk_script(dir, image, gpt_script);
    LoopDevice loop(image);
    if (loop.path().empty()) GTEST_SKIP() << "no loop device: " << loop.error();
    std::vector<std::string> warnings;
    Device d = Device::open(loop.path(), Access::read_only, Role::source);
    PartitionTable t = read_partition_table(d, 512, warnings);
    const std::string disk = loop.path().substr(5);
    expect_same_dump(run("parted -s " + sh(loop.path()) + " unit s print").out,
                     parted_print_text(t, disk, "Loopback device (loopback)", 512));
    expect_same_dump(must("sgdisk -p " + sh(loop.path())), sgdisk_print_text(t, loop.path(), 512));
}

}  // namespace
}  // namespace kura
