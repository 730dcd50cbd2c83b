// One interface every filesystem reader implements, and the table that picks one by the
// type libblkid reports (fs/filesystem_table.cpp). A reader only answers "which blocks are
// in use"; reading, framing, compressing and writing are the engine's, shared by all.
#pragma once

#include "core/bitmap.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kura {

class Device;

struct UsedBlockMap {
    std::string partclone_tag;  // header fs field, as the matching partclone tool writes it
    std::uint32_t block_size = 0;
    std::uint64_t device_size = 0;  // bytes the stream covers: block_size * total blocks
    Bitmap used;                    // total blocks = used.size()
};

struct FsReadOptions {
    // Image a filesystem that is not clean (errors, unfinished journal) anyway.
    bool force = false;
    // Image an NTFS that Windows left dirty or hibernated anyway (--ntfs-force).
    bool ntfs_force = false;
};

class FilesystemReader {
public:
    virtual ~FilesystemReader() = default;
    virtual std::string name() const = 0;
    // The types it reads, as libblkid names them: "ext4", "vfat", ...
    virtual std::vector<std::string> types() const = 0;
    // Throws Error(source_unsupported) with the reason when the filesystem can't be imaged.
    virtual UsedBlockMap read_used_blocks(const std::string& path, const FsReadOptions& options) const = 0;
    // After an image of this filesystem was restored onto `target` (and flushed): fixes
    // what depends on where the partition lies on its disk, e.g. NTFS's hidden-sectors
    // field. `start_sector` is the target partition's first 512-byte sector on its disk,
    // nullopt when the target is a whole disk or a file. Most filesystems need nothing.
    virtual void after_restore(Device& target, std::optional<std::uint64_t> start_sector) const;
    // When libblkid finds no filesystem: what is wrong, if this reader recognises the
    // remains of its own (e.g. an NTFS boot sector with an impossible geometry); empty
    // otherwise. Turns "no filesystem" into a message that names the damage.
    virtual std::string diagnose_unrecognised(const Device& device) const;
};

// The reader for a libblkid type, or nullptr.
const FilesystemReader* filesystem_reader_for(const std::string& type);
// The first reader's diagnosis of a device libblkid recognised nothing on, or empty.
std::string diagnose_unrecognised_filesystem(const Device& device);
// The types the table handles, for messages.
std::vector<std::string> supported_filesystem_types();

}  // namespace kura
