// ntfsclone's special image, built here record by record: the decoder places every cluster
// where ntfsclone --restore-image would, cuts the trailing backup-boot-sector cluster at the
// device's end, and names every kind of damage instead of restoring a wrong volume.
#include "core/error.h"
#include "image/ntfsclone_decoder.h"
#include "image/stream_decoder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace kura {
namespace {

constexpr std::uint32_t kCluster = 4096;

struct Image {
    std::string bytes;
    int minor = 1;
    std::map<std::uint64_t, std::string> clusters;  // cluster index -> content

    void put_le(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    void header(std::uint64_t device_size, std::uint64_t nr_clusters, std::uint64_t inuse, std::uint32_t offset = 56) {
        bytes.assign(ntfsclone_magic, sizeof ntfsclone_magic);
        bytes.push_back(10);
        bytes.push_back(static_cast<char>(minor));
        put_le(kCluster, 4);
        put_le(device_size, 8);
        put_le(nr_clusters, 8);
        put_le(inuse, 8);
        put_le(offset, 4);
        bytes.resize(offset, '\0');
    }
    void gap(std::uint64_t count) {
        bytes.push_back('\0');
        put_le(count, 8);
    }
    void cluster(std::uint64_t index, char fill) {
        bytes.push_back('\1');
        std::string data(kCluster, fill);
        data[0] = static_cast<char>(index & 0xff);
        bytes += data;
        clusters[index] = data;
    }
};

// A 10.1 image of a 64-cluster device holding 63 volume clusters (the last cluster's room
// keeps the backup boot sector, as mkntfs lays it out), with the device ending 1 KiB into
// that last cluster so the decoder must cut it.
Image sample() {
    Image img;
    const std::uint64_t device = 63 * kCluster + 1024;
    img.header(device, 63, 4);
    img.cluster(0, 'a');
    img.cluster(1, 'b');
    img.gap(10);
    img.cluster(12, 'c');
    img.gap(40);
    img.cluster(53, 'd');
    img.gap(9);
    img.cluster(63, 'e');  // the backup boot sector's cluster, format 10.1 only
    return img;
}

struct Decoded {
    std::string device;  // what a restore onto a zeroed device would leave
    PartcloneHeader header;
    std::uint64_t used = 0;
    bool saw_unverified = false;
};

Decoded decode(const std::string& bytes, std::size_t piece = 1 << 20) {
    Decoded out;
    bool started = false;
    auto decoder = make_stream_decoder(
        "sda1",
        [&](BlockGroup&& g) {
            EXPECT_TRUE(started);
            out.saw_unverified |= !g.verified;
            std::size_t at = 0;
            for (const auto& run : g.runs) {
                std::size_t offset = run.first_block * ntfsclone_sector, length = run.count * ntfsclone_sector;
                EXPECT_LE(offset + length, out.device.size());
                out.device.replace(offset, length, reinterpret_cast<const char*>(g.data.data()) + at, length);
                at += length;
            }
            EXPECT_EQ(at, g.data.size());
        },
        [&](const StreamDecoder& d) {
            started = true;
            EXPECT_EQ(d.used_map(), nullptr);
            out.header = d.header();
            out.device.assign(d.header().device_size, '\0');
        });
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        decoder->feed(reinterpret_cast<const std::uint8_t*>(bytes.data()) + at, std::min(piece, bytes.size() - at));
    decoder->finish();
    out.used = decoder->used_blocks();
    return out;
}

std::string expected_device(const Image& img, std::uint64_t device_size) {
    std::string dev(device_size, '\0');
    for (const auto& [index, data] : img.clusters) {
        std::uint64_t at = index * kCluster;
        dev.replace(at, std::min<std::uint64_t>(kCluster, device_size - at), data, 0,
                    std::min<std::uint64_t>(kCluster, device_size - at));
    }
    return dev;
}

std::string error_of(const std::string& bytes) {
    try {
        decode(bytes);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt);
        return e.what();
    }
    return "";
}

TEST(NtfscloneDecoder, PlacesEveryClusterAndCutsTheLastAtTheDeviceEnd) {
    Image img = sample();
    Decoded d = decode(img.bytes);
    const std::uint64_t device = 63 * kCluster + 1024;
    EXPECT_EQ(d.header.device_size, device);
    EXPECT_EQ(d.header.block_size, ntfsclone_sector);
    EXPECT_EQ(d.header.fs_tag, "NTFS");
    EXPECT_EQ(d.header.checksum_mode, partclone_checksum_none);
    EXPECT_TRUE(d.saw_unverified);
    EXPECT_EQ(d.device, expected_device(img, device));
    EXPECT_EQ(d.used, 4 * (kCluster / ntfsclone_sector) + 1024 / ntfsclone_sector);
}

TEST(NtfscloneDecoder, SameResultHoweverTheStreamIsCut) {
    Image img = sample();
    std::string whole = decode(img.bytes).device;
    for (std::size_t piece : {1u, 7u, 50u, 4097u}) EXPECT_EQ(decode(img.bytes, piece).device, whole) << piece;
}

TEST(NtfscloneDecoder, ReadsFormat10_0WithoutTheTrailingCluster) {
    Image img;
    img.minor = 0;
    img.header(64 * kCluster, 63, 2);
    img.cluster(0, 'x');
    img.gap(61);
    img.cluster(62, 'y');
    Decoded d = decode(img.bytes);
    EXPECT_EQ(d.device, expected_device(img, 64 * kCluster));
}

TEST(NtfscloneDecoder, Format10_0HasNoRoomPastTheVolume) {
    Image img;
    img.minor = 0;
    img.header(64 * kCluster, 63, 1);
    img.gap(63);
    img.cluster(63, 'z');
    EXPECT_NE(error_of(img.bytes).find("beyond the volume"), std::string::npos);
}

TEST(NtfscloneDecoder, NamesAStreamCutShort) {
    Image img = sample();
    EXPECT_NE(error_of(img.bytes.substr(0, img.bytes.size() - 100)).find("middle of cluster 63"), std::string::npos);
    // Cut exactly between records: only the promised cluster count can tell.
    Image two;
    two.header(64 * kCluster, 63, 3);
    two.cluster(0, 'a');
    two.cluster(1, 'b');
    EXPECT_NE(error_of(two.bytes).find("after 2 of the 3 clusters"), std::string::npos);
    EXPECT_NE(error_of(img.bytes.substr(0, 30)).find("inside its header"), std::string::npos);
    EXPECT_NE(error_of(img.bytes.substr(0, 56 + 2 * (kCluster + 1) + 4)).find("inside a gap"), std::string::npos);
}

TEST(NtfscloneDecoder, RejectsDamagedHeaders) {
    Image img = sample();
    std::string bad = img.bytes;
    bad[3] = 'X';
    EXPECT_NE(error_of(bad).find("neither a Partclone nor an ntfsclone image"), std::string::npos);
    bad = img.bytes;
    bad[16] = 9;
    EXPECT_NE(error_of(bad).find("format 9.1 is not supported"), std::string::npos);
    bad = img.bytes;
    bad[17] = 5;
    EXPECT_NE(error_of(bad).find("10.5 is newer"), std::string::npos);
    bad = img.bytes;
    bad[19] = 0x11;  // cluster size 0x1100
    EXPECT_NE(error_of(bad).find("cluster size"), std::string::npos);
    bad = img.bytes;
    bad[30 + 7] = 0x7f;  // nr_clusters enormous
    EXPECT_NE(error_of(bad).find("do not fit"), std::string::npos);
    bad = img.bytes;
    bad[46 + 2] = 0x7f;  // offset of the first record
    EXPECT_NE(error_of(bad).find("not plausible"), std::string::npos);
}

TEST(NtfscloneDecoder, RejectsRecordsOutsideTheVolume) {
    Image img;
    img.header(64 * kCluster, 63, 1);
    img.gap(70);
    EXPECT_NE(error_of(img.bytes).find("runs past the end"), std::string::npos);
    Image odd;
    odd.header(64 * kCluster, 63, 1);
    odd.bytes.push_back('\7');
    EXPECT_NE(error_of(odd.bytes).find("unknown record type 7"), std::string::npos);
}

}  // namespace
}  // namespace kura
