#include "fs/vmfs_layout.h"

#include <cstring>

namespace kura::vmfs {
namespace {

constexpr std::uint32_t kVolumeMagic = 0xC001D00D;
constexpr std::uint32_t kFsMagic = 0x2FABF15E;
constexpr std::uint32_t kInodeMagic = 0x10C00001;

template <typename T>
T le(const std::uint8_t* p) {
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
    return v;
}

bool power_of_two(std::uint64_t v) { return v && !(v & (v - 1)); }

std::string hex(std::uint32_t v) {
    char s[16];
    std::snprintf(s, sizeof s, "0x%08x", v);
    return s;
}

}  // namespace

std::uint64_t ResourceHeader::entry_offset(std::uint64_t entry) const {
    return header_size + (entry / entries_per_area) * static_cast<std::uint64_t>(area_size) +
           (entry % entries_per_area) * kBitmapEntrySize;
}

std::uint64_t ResourceHeader::item_offset(std::uint32_t entry, std::uint32_t item) const {
    const std::uint64_t per_area = static_cast<std::uint64_t>(items_per_entry) * entries_per_area;
    const std::uint64_t address = static_cast<std::uint64_t>(entry) * items_per_entry + item;
    return header_size + (address / per_area) * area_size + entries_per_area * kBitmapEntrySize +
           (address % per_area) * data_size;
}

std::optional<VolumeHeader> parse_volume_header(const std::uint8_t* b, std::string& problem) {
    if (le<std::uint32_t>(b) != kVolumeMagic) {
        problem = "no VMFS volume header (magic " + hex(le<std::uint32_t>(b)) + " at 1 MiB)";
        return std::nullopt;
    }
    VolumeHeader h;
    h.version = le<std::uint32_t>(b + 4);
    // The LVM part follows at +0x200 on VMFS3/5 and at +0x1000 on VMFS6.
    const std::uint8_t* lvm = b + (h.version >= 6 ? 0x1000 : 0x200);
    h.lvm_size = le<std::uint64_t>(lvm);
    std::memcpy(h.lvm_uuid, lvm + 0x54, 16);
    h.num_segments = le<std::uint32_t>(lvm + 0x74);
    h.first_segment = le<std::uint32_t>(lvm + 0x78);
    h.last_segment = le<std::uint32_t>(lvm + 0x80);
    h.num_extents = le<std::uint32_t>(lvm + 0x90);
    return h;
}

std::optional<FsDescriptor> parse_fs_descriptor(const std::uint8_t* b, std::string& problem) {
    if (le<std::uint32_t>(b) != kFsMagic) {
        problem = "the FS descriptor is damaged (magic " + hex(le<std::uint32_t>(b)) + ")";
        return std::nullopt;
    }
    FsDescriptor d;
    d.block_size = le<std::uint64_t>(b + 0xA1);
    d.subblock_size = le<std::uint32_t>(b + 0xD9);
    std::memcpy(d.lvm_uuid, b + 0xB1, 16);
    d.label.assign(reinterpret_cast<const char*>(b + 0x1D), strnlen(reinterpret_cast<const char*>(b + 0x1D), 128));
    if (!power_of_two(d.block_size) || d.block_size < (1u << 20) || d.block_size > (64u << 20)) {
        problem = "the FS descriptor gives a block size of " + std::to_string(d.block_size) + " bytes";
        return std::nullopt;
    }
    return d;
}

std::optional<ResourceHeader> parse_resource_header(const std::uint8_t* b, std::string& problem) {
    ResourceHeader h;
    h.items_per_entry = le<std::uint32_t>(b);
    h.entries_per_area = le<std::uint32_t>(b + 4);
    h.header_size = le<std::uint32_t>(b + 8);
    h.data_size = le<std::uint32_t>(b + 12);
    h.area_size = le<std::uint32_t>(b + 16);
    h.total_items = le<std::uint32_t>(b + 20);
    h.area_count = le<std::uint32_t>(b + 24);
    // An entry's bitmap has 0x1F0 bytes; areas must hold their entries and items.
    const std::uint64_t needed = static_cast<std::uint64_t>(h.entries_per_area) * kBitmapEntrySize +
                                 static_cast<std::uint64_t>(h.items_per_entry) * h.entries_per_area * h.data_size;
    if (h.items_per_entry == 0 || h.items_per_entry > 0x1F0 * 8 || h.entries_per_area == 0 ||
        h.header_size < 28 || h.area_size < needed || h.area_count == 0 ||
        h.total_items > static_cast<std::uint64_t>(h.area_count) * h.items_per_entry * h.entries_per_area) {
        problem = "the resource file header is inconsistent (" + std::to_string(h.total_items) + " items in " +
                  std::to_string(h.area_count) + " area(s) of " + std::to_string(h.entries_per_area) + " entries of " +
                  std::to_string(h.items_per_entry) + " items)";
        return std::nullopt;
    }
    return h;
}

std::optional<BitmapEntry> parse_bitmap_entry(const std::uint8_t* b, std::uint32_t expected_magic,
                                              std::uint32_t items_per_entry, std::string& problem) {
    BitmapEntry e;
    e.magic = le<std::uint32_t>(b);
    if (e.magic == 0) return e;
    if (e.magic != expected_magic) {
        problem = "a bitmap entry has magic " + hex(e.magic) + " instead of " + hex(expected_magic);
        return std::nullopt;
    }
    e.id = le<std::uint32_t>(b + 0x200);
    e.total = le<std::uint32_t>(b + 0x204);
    e.free = le<std::uint32_t>(b + 0x208);
    if (e.total > items_per_entry || e.free > e.total) {
        problem = "bitmap entry " + std::to_string(e.id) + " claims " + std::to_string(e.total) + " items (" +
                  std::to_string(e.free) + " free) of at most " + std::to_string(items_per_entry);
        return std::nullopt;
    }
    const std::uint8_t* bits = b + 0x210;
    std::uint32_t free = 0;
    for (std::uint32_t k = 0; k < e.total; ++k) {
        if (bits[k / 8] & (1u << (k % 8)))
            ++free;  // a set bit is a free item
        else
            e.allocated.push_back(k);
    }
    if (free != e.free) {
        problem = "bitmap entry " + std::to_string(e.id) + " counts " + std::to_string(e.free) +
                  " free items but its bits say " + std::to_string(free);
        return std::nullopt;
    }
    return e;
}

std::optional<Inode> parse_inode(const std::uint8_t* b, std::string& problem) {
    if (le<std::uint32_t>(b) != kInodeMagic) {
        problem = "an inode has magic " + hex(le<std::uint32_t>(b));
        return std::nullopt;
    }
    Inode i;
    i.id = le<std::uint32_t>(b + 0x200);
    i.type = le<std::uint32_t>(b + 0x20C);
    i.size = le<std::uint64_t>(b + 0x214);
    i.blk_size = le<std::uint64_t>(b + 0x21C);
    i.zla = le<std::uint32_t>(b + 0x244);
    if (i.zla != kInlineZla && i.type != 6 /* raw device mapping */)
        for (std::size_t k = 0; k < 256; ++k) i.blocks.push_back(le<std::uint32_t>(b + 0x400 + 4 * k));
    return i;
}

std::vector<Dirent> parse_directory(const std::uint8_t* b, std::size_t length) {
    std::vector<Dirent> out;
    for (std::size_t at = 0; at + kDirentSize <= length; at += kDirentSize) {
        Dirent d;
        d.type = le<std::uint32_t>(b + at);
        d.id = le<std::uint32_t>(b + at + 4);
        const char* name = reinterpret_cast<const char*>(b + at + 12);
        d.name.assign(name, strnlen(name, 128));
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace kura::vmfs
