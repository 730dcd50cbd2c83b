#include "image/partclone_header.h"

#include "core/checked_math.h"
#include "core/crc32.h"
#include "core/error.h"

#include <cstring>

namespace kura {
namespace {

constexpr char kMagic[] = "partclone-image";  // 15 characters
constexpr std::uint16_t kEndianMark = 0xC0DE;
// Partclone's own limits (partclone.h MAX_BLOCK_SIZE; every filesystem it images has a
// power-of-two block of at least one 512-byte sector), and its cap on the bitmap a header
// may ask for (2^43 blocks, a 1 TiB bitmap): anything beyond is a forged or damaged header.
constexpr std::uint32_t kMinBlockSize = 512;
constexpr std::uint32_t kMaxBlockSize = 64u << 20;
constexpr std::uint64_t kMaxTotalBlocks = 1ull << 43;

template <typename T>
T get(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <typename T>
void put(std::uint8_t* p, T v) {
    std::memcpy(p, &v, sizeof v);
}

std::string get_string(const std::uint8_t* p, std::size_t n) {
    std::size_t len = 0;
    while (len < n && p[len] != 0) ++len;
    return std::string(reinterpret_cast<const char*>(p), len);
}

void put_string(std::uint8_t* p, std::size_t n, const std::string& s) {
    std::memset(p, 0, n);
    std::memcpy(p, s.data(), s.size() < n ? s.size() : n);
}

[[noreturn]] void corrupt(const std::string& what) {
    throw Error(ExitCode::image_corrupt, "bad Partclone header: " + what);
}

void check_geometry(const PartcloneHeader& h) {
    if (h.block_size < kMinBlockSize || h.block_size > kMaxBlockSize || !is_power_of_two(h.block_size))
        corrupt("field block_size is " + std::to_string(h.block_size) +
                ", not a power of two from 512 bytes to 64 MiB");
    if (h.total_blocks > kMaxTotalBlocks)
        corrupt("field total_blocks is " + std::to_string(h.total_blocks) + ", more than Partclone's limit of " +
                std::to_string(kMaxTotalBlocks));
    if (h.used_blocks > h.total_blocks)
        corrupt("field used_blocks is " + std::to_string(h.used_blocks) + ", more than total_blocks " +
                std::to_string(h.total_blocks));
    auto fs_bytes = checked_mul(h.total_blocks, h.block_size);
    if (!fs_bytes || *fs_bytes > h.device_size)
        corrupt("field total_blocks " + std::to_string(h.total_blocks) + " of " + std::to_string(h.block_size) +
                " bytes does not fit in field device_size " + std::to_string(h.device_size));
}

// The combinations Partclone writes (checksum.c get_checksum_size, and partclone.c, which
// refuses blocks_per_checksum without a checksum mode): none = size 0 and 0 blocks per
// checksum; CRC32 (0x20) = size 4 and at least one block per checksum. Anything else was
// not written by Partclone: a stream with CRCs relabelled "none" would otherwise be read
// with its checksums taken for data.
void check_checksum_fields(const PartcloneHeader& h) {
    const std::string mode = "checksum_mode " + std::to_string(h.checksum_mode);
    if (h.checksum_mode == partclone_checksum_none) {
        if (h.checksum_size != 0)
            corrupt("field checksum_size is " + std::to_string(h.checksum_size) + " with " + mode +
                    " (none); Partclone writes 0");
        if (h.blocks_per_checksum != 0)
            corrupt("field blocks_per_checksum is " + std::to_string(h.blocks_per_checksum) + " with " + mode +
                    " (none); Partclone writes 0, so the stream's checksums would be read as data");
    } else if (h.checksum_mode == partclone_checksum_crc32) {
        if (h.checksum_size != 4)
            corrupt("field checksum_size is " + std::to_string(h.checksum_size) + " with " + mode +
                    " (CRC32); Partclone writes 4");
        if (h.blocks_per_checksum == 0) corrupt("field blocks_per_checksum is 0 with " + mode + " (CRC32)");
    } else {
        corrupt("field " + mode + " is not supported (kura reads 0, none, and 32, CRC32)");
    }
}

}  // namespace

int partclone_format_of(const std::uint8_t* p, std::size_t length) {
    if (length < partclone_version_probe_size || std::memcmp(p, kMagic, 15) != 0) return 0;
    if (std::memcmp(p + 30, "0002", 4) == 0) return 2;
    if (std::memcmp(p + 30, "0001", 4) == 0) return 1;
    return 0;
}

std::array<std::uint8_t, partclone_v2_header_size> encode_partclone_v2(const PartcloneHeader& h) {
    std::array<std::uint8_t, partclone_v2_header_size> b{};
    std::uint8_t* p = b.data();
    put_string(p + 0, 16, kMagic);
    put_string(p + 16, 14, h.writer_version);
    std::memcpy(p + 30, "0002", 4);
    put<std::uint16_t>(p + 34, kEndianMark);
    put_string(p + 36, 16, h.fs_tag);
    put<std::uint64_t>(p + 52, h.device_size);
    put<std::uint64_t>(p + 60, h.total_blocks);
    put<std::uint64_t>(p + 68, h.fs_used_blocks.value_or(h.used_blocks));  // "used blocks as the fs reports"
    put<std::uint64_t>(p + 76, h.used_blocks);
    put<std::uint32_t>(p + 84, h.block_size);
    put<std::uint32_t>(p + 88, 18);  // size of the options block that follows
    put<std::uint16_t>(p + 92, 2);
    put<std::uint16_t>(p + 94, 64);
    put<std::uint16_t>(p + 96, h.checksum_mode);
    put<std::uint16_t>(p + 98, h.checksum_size);
    put<std::uint32_t>(p + 100, h.blocks_per_checksum);
    p[104] = h.reseed ? 1 : 0;
    p[105] = 1;  // bitmap stored one bit per block
    put<std::uint32_t>(p + 106, crc32_update(crc32_partclone_seed, p, 106));
    return b;
}

PartcloneHeader decode_partclone_v2(const std::uint8_t* p) {
    if (partclone_format_of(p, partclone_v2_header_size) != 2) corrupt("not a Partclone v2 stream");
    if (get<std::uint32_t>(p + 106) != crc32_update(crc32_partclone_seed, p, 106))
        corrupt("header checksum mismatch");
    if (get<std::uint16_t>(p + 34) != kEndianMark) corrupt("written on a big-endian machine");
    PartcloneHeader h;
    h.format = 2;
    h.writer_version = get_string(p + 16, 14);
    h.fs_tag = get_string(p + 36, 16);
    h.device_size = get<std::uint64_t>(p + 52);
    h.total_blocks = get<std::uint64_t>(p + 60);
    h.used_blocks = get<std::uint64_t>(p + 76);
    h.block_size = get<std::uint32_t>(p + 84);
    h.checksum_mode = get<std::uint16_t>(p + 96);
    h.checksum_size = get<std::uint16_t>(p + 98);
    h.blocks_per_checksum = get<std::uint32_t>(p + 100);
    h.reseed = p[104] != 0;
    std::uint8_t bitmap_mode = p[105];
    check_geometry(h);
    if (bitmap_mode != 1) corrupt("field bitmap_mode is " + std::to_string(bitmap_mode) + ", not 1 (one bit per block)");
    check_checksum_fields(h);
    return h;
}

PartcloneHeader decode_partclone_v1(const std::uint8_t* p) {
    if (partclone_format_of(p, partclone_v1_header_size) != 1) corrupt("not a Partclone v1 stream");
    PartcloneHeader h;
    h.format = 1;
    h.writer_version = "v1";
    h.fs_tag = get_string(p + 15, 15);
    auto block_size = get<std::int32_t>(p + 36);
    if (block_size <= 0) corrupt("field block_size is " + std::to_string(block_size) + ", not positive");
    h.block_size = static_cast<std::uint32_t>(block_size);
    h.device_size = get<std::uint64_t>(p + 40);
    h.total_blocks = get<std::uint64_t>(p + 48);
    h.used_blocks = get<std::uint64_t>(p + 56);
    // v1 writers sometimes recorded a device size smaller than the blocks (Partclone itself
    // then ignores it); the blocks are what we restore.
    if (h.total_blocks > h.device_size / h.block_size)
        if (auto fs_bytes = checked_mul(h.total_blocks, h.block_size)) h.device_size = *fs_bytes;
    h.checksum_mode = partclone_checksum_crc32;
    h.checksum_size = 4;
    h.blocks_per_checksum = 1;
    h.reseed = false;
    check_geometry(h);
    return h;
}

std::uint32_t clonezilla_blocks_per_checksum(std::uint32_t block_size) {
    std::uint32_t bpc = 10485760u / block_size;
    return bpc == 0 ? 1 : bpc;
}

}  // namespace kura
