// The FAT reader on a synthetic FAT32 large enough (1.28 M clusters) that its FAT is read in
// more than one batch: chains across the batch boundary, bad and free entries, reserved top
// bits, copies that disagree far into the FAT, and FAT32 with mirroring turned off. mkfs.fat
// and mtools volumes are covered by the integration tests; these are the cases they cannot
// reach cheaply. The image is a sparse file, so it costs a few MiB of disk.
#include "fs/filesystem.h"

#include "core/error.h"
#include "fs/inconsistent_filesystem.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace kura {

std::unique_ptr<FilesystemReader> make_fat_reader();

namespace {

constexpr std::uint32_t sector = 512;
constexpr std::uint32_t reserved = 32;
constexpr std::uint32_t fat_sectors = 10000;  // 1,280,000 entries
constexpr std::uint32_t total_sectors = 1300000;
constexpr std::uint32_t first_data = reserved + 2 * fat_sectors;
constexpr std::uint32_t clusters = total_sectors - first_data;  // one sector per cluster
constexpr std::uint32_t boundary = 1u << 20;  // the reader's batch size, in entries

class SyntheticFat32 {
public:
    SyntheticFat32() {
        char name[] = "/var/tmp/kura-fat-unit-XXXXXX";
        fd_ = ::mkstemp(name);
        if (fd_ < 0) throw std::runtime_error("mkstemp failed");
        path_ = name;
        if (::ftruncate(fd_, off_t(total_sectors) * sector) != 0) throw std::runtime_error("ftruncate failed");
        std::uint8_t b[sector] = {};
        put(b, 11, 2, sector);
        b[13] = 1;
        put(b, 14, 2, reserved);
        b[16] = 2;
        b[21] = 0xF8;
        put(b, 32, 4, total_sectors);
        put(b, 36, 4, fat_sectors);
        put(b, 44, 4, 2);  // root directory cluster
        b[66] = 0x29;
        b[510] = 0x55;
        b[511] = 0xAA;
        write(b, sizeof b, 0);
        entry_both(0, 0x0FFFFFF8);
        entry_both(1, 0x0FFFFFFF);  // clean, no I/O error
        entry_both(2, 0x0FFFFFFF);  // root directory: one cluster
    }
    ~SyntheticFat32() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    const std::string& path() const { return path_; }

    void entry(std::uint32_t copy, std::uint32_t cluster, std::uint32_t value) {
        std::uint8_t b[4];
        put(b, 0, 4, value);
        write(b, 4, (std::uint64_t(reserved) + std::uint64_t(copy) * fat_sectors) * sector + 4ull * cluster);
    }
    void entry_both(std::uint32_t cluster, std::uint32_t value) {
        entry(0, cluster, value);
        entry(1, cluster, value);
    }
    void set_root_cluster(std::uint32_t cluster) {
        std::uint8_t b[4];
        put(b, 0, 4, cluster);
        write(b, 4, 44);
    }
    void set_ext_flags(std::uint16_t flags) {
        std::uint8_t b[2];
        put(b, 0, 2, flags);
        write(b, 2, 40);
    }

private:
    static void put(std::uint8_t* b, std::size_t at, int bytes, std::uint32_t v) {
        for (int i = 0; i < bytes; ++i) b[at + i] = std::uint8_t(v >> (8 * i));
    }
    void write(const void* data, std::size_t n, std::uint64_t at) {
        if (::pwrite(fd_, data, n, off_t(at)) != ssize_t(n)) throw std::runtime_error("pwrite failed");
    }
    std::string path_;
    int fd_ = -1;
};

std::uint64_t cluster_sector(std::uint32_t c) { return first_data + std::uint64_t(c) - 2; }

UsedBlockMap read(const SyntheticFat32& fat, bool force = false) {
    FsReadOptions options;
    options.force = force;
    return make_fat_reader()->read_used_blocks(fat.path(), options);
}

TEST(FatReader, ChainsAcrossBatchesBadAndFreeEntries) {
    SyntheticFat32 fat;
    // A file whose chain crosses the first batch boundary, one whose chain jumps backwards
    // across it, a bad cluster, and a free entry with the reserved top bits set.
    fat.entry_both(boundary - 2, boundary - 1);
    fat.entry_both(boundary - 1, boundary);
    fat.entry_both(boundary, 0x0FFFFFFF);
    fat.entry_both(boundary + 5, 100);
    fat.entry_both(100, 0x0FFFFFF8);
    fat.entry_both(boundary + 7, 0x0FFFFFF7);
    fat.entry_both(boundary + 9, 0xF0000000);
    fat.entry_both(clusters + 1, 0x0FFFFFFF);  // the very last cluster

    const UsedBlockMap map = read(fat);
    EXPECT_EQ(map.partclone_tag, "FAT32");
    EXPECT_EQ(map.block_size, sector);
    EXPECT_EQ(map.device_size, std::uint64_t(total_sectors) * sector);
    ASSERT_EQ(map.used.size(), total_sectors);
    for (std::uint64_t s : {std::uint64_t(0), std::uint64_t(31), std::uint64_t(first_data) - 1}) EXPECT_TRUE(map.used.test(s)) << s;
    for (std::uint32_t c : {2u, 100u, boundary - 2, boundary - 1, boundary, boundary + 5, clusters + 1})
        EXPECT_TRUE(map.used.test(cluster_sector(c))) << c;
    for (std::uint32_t c : {3u, 99u, boundary - 3, boundary + 1, boundary + 7, boundary + 9, clusters})
        EXPECT_FALSE(map.used.test(cluster_sector(c))) << c;
    EXPECT_EQ(map.used.count(), std::uint64_t(first_data) + 7);
}

TEST(FatReader, CopiesThatDisagreeFarIntoTheFatAreFoundAndForcedAsTheUnion) {
    SyntheticFat32 fat;
    fat.entry(1, boundary + 1000, 0x0FFFFFFF);  // only FAT #2 knows this cluster
    try {
        read(fat);
        FAIL() << "copies that disagree were accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::source_unsupported);
        EXPECT_NE(std::string(e.what()).find("disagree (first about cluster " + std::to_string(boundary + 1000)),
                  std::string::npos)
            << e.what();
    }
    const UsedBlockMap map = read(fat, true);
    EXPECT_TRUE(map.used.test(cluster_sector(boundary + 1000)));
}

TEST(FatReader, Fat32WithMirroringOffReadsOnlyTheActiveCopy) {
    SyntheticFat32 fat;
    fat.entry(0, 500, 0x0FFFFFFF);   // stale content of the inactive FAT #1
    fat.entry(1, 600, 0x0FFFFFFF);   // the active FAT #2
    fat.set_ext_flags(0x80 | 1);
    const UsedBlockMap map = read(fat);
    EXPECT_FALSE(map.used.test(cluster_sector(500)));
    EXPECT_TRUE(map.used.test(cluster_sector(600)));
}

TEST(FatReader, ChainPastTheLastClusterIsRefused) {
    SyntheticFat32 fat;
    fat.entry_both(boundary + 3, clusters + 2);  // one past the last cluster
    try {
        read(fat);
        FAIL() << "an out-of-range chain was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::source_unsupported);
        EXPECT_NE(std::string(e.what()).find("outside the volume's clusters"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(read(fat, true).used.test(cluster_sector(boundary + 3)));
}

// The consistency checks throw InconsistentFilesystem whatever the options: --fs-force is
// the save path's to apply (a dd copy), never the reader's to swallow.
void expect_inconsistent(const SyntheticFat32& fat, const std::string& check, const std::string& words) {
    for (bool force : {false, true}) {
        try {
            read(fat, force);
            ADD_FAILURE() << "accepted (force " << force << ")";
        } catch (const InconsistentFilesystem& e) {
            EXPECT_EQ(e.code(), ExitCode::source_unsupported);
            EXPECT_EQ(e.fs(), "FAT32");
            EXPECT_EQ(e.check(), check);
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("fsck.fat -a " + fat.path()), std::string::npos) << e.what();
        }
    }
}

TEST(FatReader, RootDirectoryChainAcrossTheBatchBoundaryIsAccepted) {
    SyntheticFat32 fat;
    fat.entry_both(2, 0);
    fat.set_root_cluster(boundary - 1);
    fat.entry_both(boundary - 1, boundary);
    fat.entry_both(boundary, 0x0FFFFFFF);
    const UsedBlockMap map = read(fat);
    EXPECT_TRUE(map.used.test(cluster_sector(boundary - 1)));
    EXPECT_TRUE(map.used.test(cluster_sector(boundary)));
}

TEST(FatReader, RootDirectoryOutsideTheVolumeIsInconsistent) {
    SyntheticFat32 fat;
    fat.set_root_cluster(clusters + 2);
    expect_inconsistent(fat, "FAT32 root directory cluster",
                        "starts at cluster " + std::to_string(clusters + 2) + ", outside the volume's clusters");
}

TEST(FatReader, RootDirectoryChainThroughAFreeClusterIsInconsistent) {
    SyntheticFat32 fat;
    fat.entry_both(2, 3);  // cluster 3 is free
    expect_inconsistent(fat, "FAT32 root directory chain", "cluster 3 is marked free");
}

TEST(FatReader, RootDirectoryChainThatLoopsIsInconsistent) {
    SyntheticFat32 fat;
    fat.entry_both(2, 3);
    fat.entry_both(3, 4);
    fat.entry_both(4, 2);
    expect_inconsistent(fat, "FAT32 root directory chain", "loops");
}

TEST(FatReader, AFatWithoutTheMediaByteIsInconsistent) {
    SyntheticFat32 fat;
    fat.entry_both(0, 0);  // as a zeroed or misplaced FAT reads
    expect_inconsistent(fat, "FAT entry 0", "media byte is 0xF8");
}

}  // namespace
}  // namespace kura
