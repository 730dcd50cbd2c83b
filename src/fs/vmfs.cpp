// VMFS3/5 (ESX datastores): the used set is the partition's first 17 MiB (volume header,
// LVM metadata) plus every file block the file-block bitmap (.fbb.sf) marks allocated, plus
// - a cheap safety net - every block of the metadata files themselves. Imaging works in
// 1 MiB units, which divide both 17 MiB and every VMFS block size, so no block is ever
// shifted against its data (partclone.vmfs's mistake for 2-8 MiB blocks).
//
// What kura cannot prove it reads right it copies whole, with a log line saying why: VMFS6
// (its large/small file-block allocation is not verified), spanned volumes and unknown
// versions. Metadata that contradicts itself - a damaged descriptor, a bitmap claiming
// blocks past the volume, system files whose blocks the file-block bitmap calls free - is
// an inconsistent filesystem: refused, or copied whole as a dd stream under --fs-force
// (fs/inconsistent_filesystem.h). A volume cut short is refused. Layout and fallbacks:
// docs/vmfs.md.
#include "fs/filesystem.h"
#include "fs/inconsistent_filesystem.h"
#include "fs/vmfs_layout.h"

#include "core/error.h"
#include "core/log.h"
#include "device/device.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>

namespace kura {
namespace {

using namespace vmfs;

constexpr std::uint32_t kUnit = 1u << 20;
constexpr std::uint32_t kFbbMagic = 0x10C00002;
constexpr std::uint32_t kDirType = 2;
constexpr std::uint32_t kDirectZla = 1;
constexpr std::uint64_t kMaxDirectoryBytes = 64u << 20;

// Metadata that contradicts itself; read_allocated_items' `stage` says where it was found.
struct Unprovable {
    std::string reason;
};

// A layout kura does not read, though the volume may be healthy: copied whole instead.
struct UnreadLayout {
    std::string reason;
};

class VolumeReader {
public:
    VolumeReader(const std::string& path, const Device& device, std::uint64_t block_size)
        : path_(path), device_(device), bs_(block_size) {}

    std::uint64_t block_size() const { return bs_; }

    // Bytes of the logical volume (single extent: partition offset 17 MiB + offset).
    void read_logical(std::uint8_t* out, std::size_t length, std::uint64_t offset) {
        if (kDataOffset + offset + length > device_.size())
            throw Unprovable{"metadata points at logical byte " + std::to_string(offset) + ", outside the volume"};
        // One cached block: metadata is read in small pieces, mostly from the same block.
        const std::uint64_t block = offset / bs_;
        if ((offset + length - 1) / bs_ == block && kDataOffset + (block + 1) * bs_ <= device_.size()) {
            if (cached_block_ != block) {
                cache_.resize(bs_);
                device_.read_at(cache_.data(), bs_, kDataOffset + block * bs_);
                cached_block_ = block;
            }
            std::memcpy(out, cache_.data() + (offset - block * bs_), length);
            return;
        }
        device_.read_at(out, length, kDataOffset + offset);
    }

    // Bytes of a file kept in whole file blocks (how VMFS keeps its own metadata files).
    void read_file(const Inode& inode, std::uint8_t* out, std::size_t length, std::uint64_t offset) {
        if (inode.zla != kDirectZla || inode.blk_size != bs_)
            throw UnreadLayout{"a metadata file is not kept in whole file blocks (addressing mode " +
                             std::to_string(inode.zla) + ")"};
        if (offset + length > inode.size)
            throw Unprovable{"a metadata file is shorter than its own header says"};
        while (length > 0) {
            const std::uint64_t index = offset / bs_, within = offset % bs_;
            if (index >= inode.blocks.size() || block_type(inode.blocks[index]) != BlockType::file_block)
                throw Unprovable{"a metadata file has a missing or foreign block at index " + std::to_string(index)};
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, bs_ - within));
            read_logical(out, n, fb_item(inode.blocks[index]) * bs_ + within);
            out += n;
            offset += n;
            length -= n;
        }
    }

private:
    std::string path_;
    const Device& device_;
    std::uint64_t bs_;
    std::vector<std::uint8_t> cache_;
    std::uint64_t cached_block_ = ~0ull;
};

// `problem` is read only after the parser has filled it in.
template <typename T>
T parsed(std::optional<T> value, const char* what, const std::string& problem) {
    if (!value) throw Unprovable{what + problem};
    return *value;
}

// The file-block items a metadata inode covers directly.
void add_direct_blocks(const Inode& inode, std::vector<std::uint64_t>& items) {
    for (std::uint32_t id : inode.blocks)
        if (block_type(id) == BlockType::file_block) items.push_back(fb_item(id));
}

struct UsedItems {
    std::uint64_t total_items = 0;
    std::vector<std::uint64_t> items;  // allocated file-block items, and the safety net
};

// Walks the FS descriptor, the FDC bootstrap, the root directory and the FBB; `stage`
// names the structure being checked, for the message when one contradicts itself.
UsedItems read_allocated_items(const std::string& path, const Device& device, const VolumeHeader& volume,
                               std::string& stage) {
    std::string problem;
    stage = "FS descriptor";
    std::uint8_t fs_bytes[0x200];
    device.read_at(fs_bytes, sizeof fs_bytes, kDataOffset + kFsDescriptorOffset);
    const FsDescriptor fs = parsed(parse_fs_descriptor(fs_bytes, problem), "", problem);
    if (std::memcmp(fs.lvm_uuid, volume.lvm_uuid, 16) != 0)
        throw Unprovable{"the FS descriptor belongs to another logical volume (its LVM UUID differs)"};
    VolumeReader reader(path, device, fs.block_size);
    const std::uint64_t bs = fs.block_size;
    UsedItems used;

    // The file-descriptor cluster (FDC) starts in the first block after the heartbeats;
    // the root directory's inode is its first item, inside that block.
    stage = "file descriptor cluster (.fdc.sf)";
    const std::uint64_t fdc_base = std::max<std::uint64_t>(1, kHeartbeatEnd / bs);
    for (std::uint64_t b = 0; b <= fdc_base; ++b) used.items.push_back(b);
    Inode fdc_file;
    fdc_file.zla = kDirectZla;
    fdc_file.blk_size = bs;
    fdc_file.size = bs;
    fdc_file.blocks.assign(256, 0);
    fdc_file.blocks[0] = static_cast<std::uint32_t>(fdc_base << 6 | 1);
    std::uint8_t header_bytes[28];
    reader.read_file(fdc_file, header_bytes, sizeof header_bytes, 0);
    const ResourceHeader fdc = parsed(parse_resource_header(header_bytes, problem), "FDC: ", problem);
    if (fdc.data_size < kInodeSize) throw Unprovable{"the FDC's items are too small for inodes"};

    auto read_inode = [&](std::uint32_t id) {
        if (block_type(id) != BlockType::file_descriptor)
            throw Unprovable{"a directory entry names block id " + std::to_string(id) + ", not an inode"};
        std::vector<std::uint8_t> bytes(kInodeSize);
        reader.read_file(fdc_file, bytes.data(), bytes.size(), fdc.item_offset(fd_entry(id), fd_item(id)));
        return parsed(parse_inode(bytes.data(), problem), "", problem);
    };
    stage = "root directory";
    const Inode root = read_inode(4);  // FD(0, 0)
    if (root.type != kDirType || root.size > kMaxDirectoryBytes)
        throw Unprovable{"the root directory's inode is not a directory"};
    add_direct_blocks(root, used.items);
    std::vector<std::uint8_t> dir(root.size);
    reader.read_file(root, dir.data(), dir.size(), 0);
    std::map<std::string, std::uint32_t> entries;
    for (const auto& d : parse_directory(dir.data(), dir.size())) entries[d.name] = d.id;

    for (const char* name : {".fdc.sf", ".fbb.sf", ".pbc.sf", ".sbc.sf", ".vh.sf"})
        if (!entries.count(name)) throw Unprovable{std::string("the root directory has no ") + name};
    // From here on inodes come through the FDC's real inode, not the one-block bootstrap.
    stage = "system files (.sf)";
    fdc_file = read_inode(entries[".fdc.sf"]);
    // The system files' own blocks: copied whatever the FBB says, and checked against it below.
    std::vector<std::uint64_t> system_items;
    add_direct_blocks(root, system_items);
    for (const auto& [name, id] : entries)
        if (name.size() > 3 && name[0] == '.' && name.compare(name.size() - 3, 3, ".sf") == 0) {
            const Inode sf = read_inode(id);
            const std::size_t before = system_items.size();
            add_direct_blocks(sf, system_items);
            if (sf.zla == kDirectZla && sf.size > (system_items.size() - before) * bs)
                throw Unprovable{name + " is " + std::to_string(sf.size) + " bytes but has only " +
                                 std::to_string(system_items.size() - before) + " blocks of " + std::to_string(bs)};
        }
    used.items.insert(used.items.end(), system_items.begin(), system_items.end());

    stage = "file-block bitmap (.fbb.sf)";
    const Inode fbb_file = read_inode(entries[".fbb.sf"]);
    reader.read_file(fbb_file, header_bytes, sizeof header_bytes, 0);
    const ResourceHeader fbb = parsed(parse_resource_header(header_bytes, problem), "FBB: ", problem);
    used.total_items = fbb.total_items;
    if (fbb.total_items * bs > volume.lvm_size)
        throw Unprovable{"the file-block bitmap covers " + std::to_string(fbb.total_items) +
                         " blocks, more than the logical volume holds"};
    const std::uint64_t entries_count = (fbb.total_items + fbb.items_per_entry - 1) / fbb.items_per_entry;
    std::uint8_t entry_bytes[kBitmapEntrySize];
    std::set<std::uint64_t> allocated;
    for (std::uint64_t e = 0; e < entries_count; ++e) {
        reader.read_file(fbb_file, entry_bytes, sizeof entry_bytes, fbb.entry_offset(e));
        const BitmapEntry entry =
            parsed(parse_bitmap_entry(entry_bytes, kFbbMagic, fbb.items_per_entry, problem), "FBB: ", problem);
        if (entry.magic == 0) break;
        if (entry.id != e) throw Unprovable{"FBB entry " + std::to_string(e) + " carries id " + std::to_string(entry.id)};
        for (std::uint32_t k : entry.allocated) {
            const std::uint64_t item = e * fbb.items_per_entry + k;
            if (item >= fbb.total_items)
                throw Unprovable{"the file-block bitmap marks block " + std::to_string(item) +
                                 " allocated, outside the volume's " + std::to_string(fbb.total_items) + " blocks"};
            used.items.push_back(item);
            allocated.insert(item);
        }
    }
    stage = "system files (.sf)";
    for (std::uint64_t item : used.items)
        if (item >= fbb.total_items)
            throw Unprovable{"a metadata file uses block " + std::to_string(item) + ", outside the volume"};
    for (std::uint64_t item : system_items)
        if (!allocated.count(item))
            throw Unprovable{"the system files use block " + std::to_string(item) +
                             ", which the file-block bitmap calls free"};
    return used;
}

class VmfsReader : public FilesystemReader {
public:
    std::string name() const override { return "vmfs"; }
    // libblkid reports a VMFS partition as a volume member (the volume header at 1 MiB).
    std::vector<std::string> types() const override { return {"VMFS_volume_member", "VMFS"}; }

    UsedBlockMap read_used_blocks(const std::string& path, const FsReadOptions&) const override {
        Device device = Device::open(path, Access::read_only, Role::source);
        UsedBlockMap map;
        map.partclone_tag = "VMFS";
        map.block_size = kUnit;
        const std::uint64_t units = device.size() / kUnit;
        map.device_size = units * kUnit;
        map.used = Bitmap(units);
        if (device.size() < kDataOffset + kHeartbeatEnd)
            throw Error(ExitCode::source_unsupported,
                        path + ": too small for a VMFS volume (" + std::to_string(device.size()) +
                            " bytes); was it cut short?");

        std::vector<std::uint8_t> header(0x2000);
        device.read_at(header.data(), header.size(), kVolumeHeaderOffset);
        std::string problem;
        auto volume = parse_volume_header(header.data(), problem);
        if (!volume) throw Error(ExitCode::source_unsupported, path + ": " + problem);

        auto copy_whole = [&](const std::string& why) {
            log::warn(path + ": " + why + "; copying the whole volume (" + std::to_string(map.device_size) +
                      " bytes) instead of its used blocks");
            map.used.set_range(0, units);
            return map;
        };
        if (volume->version == 6)
            return copy_whole("VMFS6: kura cannot yet prove how its large and small file blocks are allocated");
        if (volume->version != 3 && volume->version != 5)
            return copy_whole("unknown VMFS version " + std::to_string(volume->version));
        if (volume->num_extents != 1 || volume->first_segment != 0)
            return copy_whole("a spanned VMFS volume (this extent starts at segment " +
                              std::to_string(volume->first_segment) + ", the volume has " +
                              std::to_string(volume->num_extents) + " extents)");
        if (kDataOffset + volume->lvm_size > device.size())
            throw Error(ExitCode::source_unsupported,
                        path + ": the VMFS volume needs " + std::to_string(kDataOffset + volume->lvm_size) +
                            " bytes but the device holds only " + std::to_string(device.size()) +
                            " (was the partition or image file cut short?)");

        UsedItems used;
        std::uint64_t bs = 0;
        std::string stage;
        try {
            std::uint8_t fs_bytes[0x200];
            device.read_at(fs_bytes, sizeof fs_bytes, kDataOffset + kFsDescriptorOffset);
            if (auto fs = parse_fs_descriptor(fs_bytes, problem)) bs = fs->block_size;
            used = read_allocated_items(path, device, *volume, stage);
        } catch (const UnreadLayout& u) {
            return copy_whole(u.reason);
        } catch (const Unprovable& u) {
            throw InconsistentFilesystem(path, "VMFS" + std::to_string(volume->version), stage, u.reason,
                                         "VMware's VOMA on an ESXi host (`voma -m vmfs -f check -d <device>`)");
        }
        map.used.set_range(0, kDataOffset / kUnit);
        const std::uint64_t per_block = bs / kUnit;
        for (std::uint64_t item : used.items) {
            const std::uint64_t first = (kDataOffset + item * bs) / kUnit;
            map.used.set_range(first, std::min(per_block, units - std::min(units, first)));
        }
        return map;
    }
};

}  // namespace

std::unique_ptr<FilesystemReader> make_vmfs_reader() { return std::make_unique<VmfsReader>(); }

}  // namespace kura
