// The VMFS3/5 on-disk structures kura reads to find a volume's used blocks: the volume
// header (and its LVM part), the FS descriptor, resource-file headers, bitmap entries,
// inodes, directory entries and block ids. Pure parsing of byte buffers, so each rule can
// be tested alone. Layout notes: docs/vmfs.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kura::vmfs {

inline constexpr std::uint64_t kVolumeHeaderOffset = 0x100000;  // partition offset
inline constexpr std::uint64_t kDataOffset = 0x1100000;         // logical byte 0: 17 MiB
inline constexpr std::uint64_t kFsDescriptorOffset = 0x200000;  // logical
inline constexpr std::uint64_t kHeartbeatEnd = 0x400000;        // logical, VMFS3/5
inline constexpr std::uint64_t kSegmentSize = 256ull << 20;
inline constexpr std::size_t kBitmapEntrySize = 0x400;
inline constexpr std::size_t kInodeSize = 0x800;
inline constexpr std::size_t kDirentSize = 0x8C;
inline constexpr std::uint32_t kInlineZla = 4301 + 4;

enum class BlockType { none = 0, file_block = 1, sub_block = 2, pointer_block = 3, file_descriptor = 4 };

inline BlockType block_type(std::uint32_t id) { return static_cast<BlockType>(id & 7); }
inline std::uint32_t fb_item(std::uint32_t id) { return id >> 6; }
inline std::uint32_t pb_entry(std::uint32_t id) { return (id >> 6) & 0x3FFFFF; }
inline std::uint32_t pb_item(std::uint32_t id) { return id >> 28; }
inline std::uint32_t fd_entry(std::uint32_t id) { return (id >> 6) & 0xFFFF; }
inline std::uint32_t fd_item(std::uint32_t id) { return id >> 22; }

struct VolumeHeader {
    std::uint32_t version = 0;  // 3, 5 or 6
    std::uint64_t lvm_size = 0;
    std::uint8_t lvm_uuid[16] = {};
    std::uint32_t num_segments = 0, first_segment = 0, last_segment = 0, num_extents = 0;
};

struct FsDescriptor {
    std::uint64_t block_size = 0;
    std::uint32_t subblock_size = 0;
    std::uint8_t lvm_uuid[16] = {};
    std::string label;
};

struct ResourceHeader {
    std::uint32_t items_per_entry = 0, entries_per_area = 0, header_size = 0, data_size = 0;
    std::uint32_t area_size = 0, total_items = 0, area_count = 0;

    std::uint64_t entry_offset(std::uint64_t entry) const;
    std::uint64_t item_offset(std::uint32_t entry, std::uint32_t item) const;
};

struct BitmapEntry {
    std::uint32_t magic = 0, id = 0, total = 0, free = 0;
    // Items of this entry that are allocated (bit clear), relative to the entry.
    std::vector<std::uint32_t> allocated;
};

struct Inode {
    std::uint32_t id = 0, type = 0, zla = 0;
    std::uint64_t size = 0, blk_size = 0;
    std::vector<std::uint32_t> blocks;  // the 256 block ids (empty for inline data)
};

struct Dirent {
    std::uint32_t type = 0, id = 0;
    std::string name;
};

// Each returns nullopt and sets `problem` when the bytes are not what they must be.
std::optional<VolumeHeader> parse_volume_header(const std::uint8_t* bytes, std::string& problem);
std::optional<FsDescriptor> parse_fs_descriptor(const std::uint8_t* bytes, std::string& problem);
std::optional<ResourceHeader> parse_resource_header(const std::uint8_t* bytes, std::string& problem);
// A zero magic (an entry never used) gives an entry with magic 0 and nothing allocated.
std::optional<BitmapEntry> parse_bitmap_entry(const std::uint8_t* bytes, std::uint32_t expected_magic,
                                              std::uint32_t items_per_entry, std::string& problem);
std::optional<Inode> parse_inode(const std::uint8_t* bytes, std::string& problem);
std::vector<Dirent> parse_directory(const std::uint8_t* bytes, std::size_t length);

}  // namespace kura::vmfs
