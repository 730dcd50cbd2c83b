#include "volume/md_superblock.h"

#include "core/byte_order.h"
#include "core/error.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <vector>

namespace kura {
namespace {

constexpr std::uint32_t md_magic = 0xa92b4efc;
constexpr std::uint64_t sector = 512;
constexpr std::size_t superblock_area = 4096;  // both versions fit in 4 KiB
constexpr std::uint64_t v090_reserved = 64 * 1024;

// 1.x feature bits (md_p.h MD_FEATURE_*) kura must act on.
constexpr std::uint32_t feature_recovery_offset = 2;
constexpr std::uint32_t feature_reshape_active = 4;
constexpr std::uint32_t feature_replacement = 16;
constexpr std::uint32_t feature_journal = 512;

// 1.x roles at or above this are not slots (md_p.h MD_DISK_ROLE_MAX, _SPARE, _FAULTY).
constexpr std::uint16_t role_max = 0xff00;
constexpr std::uint16_t role_faulty = 0xfffe;

[[noreturn]] void damaged(const std::string& label, const std::string& field, const std::string& what) {
    throw Error(ExitCode::source_unsupported, label + ": md superblock " + field + " " + what);
}

// md folds its 64-bit sum of 32-bit words into 32 bits the same way for both versions.
std::uint32_t fold(std::uint64_t sum) { return std::uint32_t((sum & 0xffffffff) + (sum >> 32)); }

std::string hex_word(std::uint32_t w) {
    char text[9];
    std::snprintf(text, sizeof text, "%08x", w);
    return text;
}

bool valid_level(int level) {
    return level == -1 || level == 0 || level == 1 || level == 4 || level == 5 || level == 6 || level == 10;
}

bool striped_level(int level) { return level == 0 || level == 4 || level == 5 || level == 6 || level == 10; }

// How many bytes the array holds, from one member's share of it; 0 where a member alone
// cannot tell (raid0 and linear members may differ in size).
std::uint64_t array_bytes(int level, std::uint32_t disks, std::uint32_t layout, std::uint64_t member_bytes,
                          const std::string& label) {
    switch (level) {
        case 1: return member_bytes;
        case 4:
        case 5: return member_bytes * (disks - 1);
        case 6: return member_bytes * (disks - 2);
        case 10: {
            const std::uint32_t copies = (layout & 0xff) * ((layout >> 8) & 0xff);
            if (copies == 0 || copies > disks) damaged(label, "layout", std::to_string(layout) + " is not a raid10 layout");
            return member_bytes * disks / copies;
        }
        default: return 0;
    }
}

void check_geometry(MdSuperblock& sb, std::uint64_t device_size, const std::string& label) {
    if (!valid_level(sb.level)) damaged(label, "level", std::to_string(sb.level) + " is not one kura knows");
    const std::uint32_t min_disks = sb.level == 6 ? 4 : (sb.level == 4 || sb.level == 5 || sb.level == 10) ? 2 : 1;
    if (sb.raid_disks < min_disks || sb.raid_disks > 1920)
        damaged(label, "raid_disks", std::to_string(sb.raid_disks) + " is impossible for " + md_level_name(sb.level));
    if (striped_level(sb.level) &&
        (sb.chunk_bytes < 4096 || (sb.chunk_bytes & (sb.chunk_bytes - 1)) != 0 || sb.chunk_bytes > (1ull << 30)))
        damaged(label, "chunk", std::to_string(sb.chunk_bytes) + " bytes is not a power of two from 4 KiB to 1 GiB");
    if (sb.data_offset > device_size || sb.data_size > device_size - sb.data_offset)
        damaged(label, "data_offset/size",
                std::to_string(sb.data_offset) + "+" + std::to_string(sb.data_size) + " bytes lie beyond the " +
                    std::to_string(device_size) + "-byte device");
    if (sb.level != 0 && sb.level != -1 && sb.data_size == 0) damaged(label, "size", "is 0");
    sb.array_size = array_bytes(sb.level, sb.raid_disks, sb.layout, sb.data_size, label);
    if (sb.role && *sb.role >= sb.raid_disks)
        damaged(label, "role", std::to_string(*sb.role) + " is not below raid_disks " + std::to_string(sb.raid_disks));
}

MdSuperblock parse_v090(const std::uint8_t* b, std::uint64_t at, std::uint64_t device_size, const std::string& label) {
    auto word = [&](int i) { return le32(b + 4 * i); };
    if (word(1) != 0 || word(2) != 90)
        damaged(label, "version", std::to_string(word(1)) + "." + std::to_string(word(2)) +
                                      (word(2) == 91 ? " (a reshape in progress: let it finish first)" : " is not 0.90"));
    std::uint64_t sum = 0;
    for (int i = 0; i < 1024; ++i) sum += i == 38 ? 0 : word(i);
    if (fold(sum) != word(38))
        damaged(label, "checksum", hex_word(word(38)) + " does not match its contents (" + hex_word(fold(sum)) + ")");
    MdSuperblock sb;
    sb.metadata = MdMetadata::v0_90;
    sb.superblock_offset = at;
    sb.level = static_cast<std::int32_t>(word(7));
    sb.raid_disks = word(10);
    sb.preferred_minor = word(11);
    sb.uuid = hex_word(word(5)) + ":" + hex_word(word(13)) + ":" + hex_word(word(14)) + ":" + hex_word(word(15));
    sb.clean = (word(33) & 1) != 0;
    sb.events = std::uint64_t(word(40)) << 32 | word(39);
    sb.layout = word(64);
    sb.chunk_bytes = word(65);
    sb.data_offset = 0;
    sb.data_size = std::uint64_t(word(8)) * 1024;
    if (sb.raid_disks > 27) damaged(label, "raid_disks", std::to_string(sb.raid_disks) + " is more than 0.90 holds");
    if (sb.data_size > at) damaged(label, "size", std::to_string(word(8)) + " KiB reaches into the superblock");
    // This member's descriptor (word 992): number, major, minor, raid_disk, state bits
    // 0 faulty, 1 active, 2 in sync.
    const std::uint32_t raid_disk = word(992 + 3), state = word(992 + 4);
    sb.faulty = (state & 1) != 0;
    if (!sb.faulty && (state & 4) != 0) sb.role = raid_disk;
    check_geometry(sb, device_size, label);
    return sb;
}

MdSuperblock parse_v1(const std::uint8_t* b, MdMetadata metadata, std::uint64_t at, std::uint64_t device_size,
                      const std::string& label) {
    if (le32(b + 4) != 1) damaged(label, "major_version", std::to_string(le32(b + 4)) + " is not 1");
    const std::uint32_t max_dev = le32(b + 220);
    if (max_dev > (superblock_area - 256) / 2)
        damaged(label, "max_dev", std::to_string(max_dev) + " does not fit in 4 KiB");
    const std::size_t length = 256 + 2 * std::size_t(max_dev);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i + 4 <= length; i += 4) sum += i == 216 ? 0 : le32(b + i);
    if (length % 4) sum += le16(b + length - 2);
    if (fold(sum) != le32(b + 216))
        damaged(label, "checksum",
                hex_word(le32(b + 216)) + " does not match its contents (" + hex_word(fold(sum)) + ")");
    if (le64(b + 144) * sector != at)
        damaged(label, "super_offset",
                std::to_string(le64(b + 144)) + " says the superblock is elsewhere than sector " +
                    std::to_string(at / sector));
    const std::uint32_t features = le32(b + 8);
    if (features & feature_reshape_active)
        damaged(label, "feature_map", "says a reshape is in progress: let it finish (mdadm --grow --continue) first");
    if (features & feature_journal) damaged(label, "feature_map", "says the array has a write journal, which kura does not handle");

    MdSuperblock sb;
    sb.metadata = metadata;
    sb.superblock_offset = at;
    std::string uuid;
    for (int i = 0; i < 16; ++i) {
        char hex[3];
        std::snprintf(hex, sizeof hex, "%02x", b[16 + i]);
        uuid += hex;
        if (i % 4 == 3 && i != 15) uuid += ':';
    }
    sb.uuid = uuid;
    const char* name = reinterpret_cast<const char*>(b + 32);
    sb.name.assign(name, strnlen(name, 32));
    for (unsigned char c : sb.name)
        // The name travels into mdN-config.env, which Clonezilla's restore sources as shell.
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' || c == '$' || c == '`' || c == ';')
            damaged(label, "name", "holds a character kura does not accept (only printable ASCII without "
                                   "spaces, quotes, '\\', '$', '`' or ';')");
    for (std::size_t i = sb.name.size(); i < 32; ++i)
        if (b[32 + i] != 0) damaged(label, "name", "has bytes after its end");
    sb.level = static_cast<std::int32_t>(le32(b + 72));
    sb.layout = le32(b + 76);
    const std::uint64_t size_sectors = le64(b + 80);
    sb.chunk_bytes = std::uint64_t(le32(b + 88)) * sector;
    sb.raid_disks = le32(b + 92);
    const std::uint64_t data_offset = le64(b + 128), data_size = le64(b + 136);
    if (data_offset > device_size / sector || data_size > device_size / sector)
        damaged(label, "data_offset/data_size",
                std::to_string(data_offset) + "/" + std::to_string(data_size) + " sectors lie beyond the " +
                    std::to_string(device_size) + "-byte device");
    if (size_sectors > data_size)
        damaged(label, "size", std::to_string(size_sectors) + " sectors is more than data_size " +
                                   std::to_string(data_size));
    sb.data_offset = data_offset * sector;
    sb.data_size = (size_sectors ? size_sectors : data_size) * sector;
    // The data must not overlap the superblock itself.
    const bool super_before = at + superblock_area <= sb.data_offset;
    const bool super_after = sb.data_offset + sb.data_size <= at;
    if (!super_before && !super_after)
        damaged(label, "data_offset", std::to_string(data_offset) + " puts the data over the superblock");
    sb.events = le64(b + 200);
    sb.clean = le64(b + 208) == ~0ull;
    if (features & feature_recovery_offset) sb.recovery_offset = le64(b + 152) * sector;
    const std::uint32_t dev_number = le32(b + 160);
    if (dev_number >= max_dev)
        damaged(label, "dev_number", std::to_string(dev_number) + " is not below max_dev " + std::to_string(max_dev));
    const std::uint16_t role = le16(b + 256 + 2 * dev_number);
    sb.faulty = role == role_faulty;
    // A replacement member (feature 16) copies a slot that another member still serves.
    if (role < role_max && !(features & feature_replacement)) sb.role = role;
    check_geometry(sb, device_size, label);
    return sb;
}

struct Place {
    MdMetadata metadata;
    std::uint64_t at;
};

}  // namespace

std::string md_metadata_name(MdMetadata metadata) {
    switch (metadata) {
        case MdMetadata::v0_90: return "0.90";
        case MdMetadata::v1_0: return "1.0";
        case MdMetadata::v1_1: return "1.1";
        case MdMetadata::v1_2: return "1.2";
    }
    return "?";
}

std::string md_level_name(int level) {
    if (level == -1) return "linear";
    return "raid" + std::to_string(level);
}

std::optional<MdSuperblock> read_md_superblock(const Device& device, std::uint64_t offset, std::uint64_t size,
                                               const std::string& label) {
    if (offset > device.size() || size > device.size() - offset)
        throw Error(ExitCode::internal, label + ": member range beyond " + device.path());
    std::vector<Place> places;
    // mdadm looks for the newest format first; a 1.x member whose device also ends in an
    // old 0.90 superblock (a disk reused) is the 1.x array's.
    if (size >= 8192 + superblock_area) places.push_back({MdMetadata::v1_2, 4096});
    if (size >= superblock_area * 2) places.push_back({MdMetadata::v1_1, 0});
    if (size >= 16 * sector + superblock_area) places.push_back({MdMetadata::v1_0, ((size / sector - 16) & ~7ull) * sector});
    if (size >= 2 * v090_reserved) places.push_back({MdMetadata::v0_90, (size & ~(v090_reserved - 1)) - v090_reserved});
    std::array<std::uint8_t, superblock_area> block{};
    for (const auto& place : places) {
        device.read_at(block.data(), block.size(), offset + place.at);
        if (le32(block.data()) != md_magic) continue;
        if (place.metadata == MdMetadata::v0_90) return parse_v090(block.data(), place.at, size, label);
        return parse_v1(block.data(), place.metadata, place.at, size, label);
    }
    return std::nullopt;
}

std::optional<MdSuperblock> read_md_superblock(const std::string& path) {
    Device device = Device::open(path, Access::read_only, Role::source);
    return read_md_superblock(device, 0, device.size(), path);
}

}  // namespace kura
