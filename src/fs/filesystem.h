// One interface every filesystem implements, and the table that picks one by the type
// libblkid reports (fs/filesystem_table.cpp). A filesystem answers "which blocks are in
// use", and says what only it knows: how it is checked and repaired (--fsck), how it grows
// into a larger partition (--grow), and whether and how a `dev:` repository on it is
// mounted. Reading, framing, compressing and writing are the engine's, shared by all.
#pragma once

#include "core/bitmap.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kura {

class Device;
struct ToolResult;

struct UsedBlockMap {
    std::string partclone_tag;  // header fs field, as the matching partclone tool writes it
    std::uint32_t block_size = 0;
    std::uint64_t device_size = 0;  // bytes the stream covers: block_size * total blocks
    Bitmap used;                    // total blocks = used.size()
    // The used count the filesystem itself reports, when the matching partclone tool writes
    // that (not the bitmap's count) into its header (XFS: dblocks - sb_fdblocks).
    std::optional<std::uint64_t> fs_reported_used;
};

struct FsReadOptions {
    // Image a filesystem that is not clean (errors, unfinished journal) anyway.
    bool force = false;
    // Image an NTFS that Windows left dirty or hibernated anyway (--ntfs-force).
    bool ntfs_force = false;
};

// How a `dev:` repository on a filesystem is mounted.
struct RepositoryMount {
    // Kernel filesystem types that mount it, tried in order: the first the running kernel
    // offers (/proc/filesystems) is used.
    std::vector<std::string> kernel_types;
    // The FUSE program that mounts it when the kernel offers none of them (ntfs-3g), run as
    // `helper -o OPTIONS DEVICE DIR`; empty when there is none.
    std::string fuse_helper;
    // false for FAT, exFAT and NTFS, which keep no Unix modes: the mount options give every
    // file its mode, and the repository chooses them.
    bool unix_permissions = true;
};

class FilesystemReader {
public:
    virtual ~FilesystemReader() = default;
    virtual std::string name() const = 0;
    // The types it reads, as libblkid names them: "ext4", "vfat", ...
    virtual std::vector<std::string> types() const = 0;
    // false for a row that is in the table only for its other hooks (exFAT: a repository
    // can live on it, but kura does not image it); filesystem_reader_for() skips such a row.
    virtual bool maps_used_blocks() const;
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

    // --fsck: the command that checks and repairs this filesystem on `path` (not mounted),
    // as it is run; empty when kura has no repair tool for it (the default).
    virtual std::vector<std::string> repair_command(const std::string& path) const;
    // What `result`, the exit of repair_command(path), means: returns what was done, in
    // words for the log ("no errors", "errors found and corrected"), or throws
    // Error(source_unsupported) naming `label`, the tool and its output when errors are
    // left. It may run a read-only check of its own to be sure (fsck.fat's exit status 1
    // means both "repaired" and "gave up").
    virtual std::string judge_repair(const std::string& label, const std::string& path,
                                     const ToolResult& result) const;

    // --grow: whether grow() can make this filesystem fill a partition larger than the one
    // it was saved from. false by default: it then stays at its saved size.
    virtual bool grows() const;
    // Grows the filesystem on `path` (just restored and flushed, not mounted) to the size of
    // its device. Throws Error(io_error) with the tool's output when that fails; leaves it
    // at its saved size with a warning when growing that filesystem would be unsafe (an
    // NTFS that Windows left hibernated or dirty).
    virtual void grow(const std::string& path) const;

    // How a `dev:` repository on a filesystem of libblkid type `type` is mounted; nullopt
    // (the default) when kura does not mount it for a repository.
    virtual std::optional<RepositoryMount> repository_mount(const std::string& type) const;
};

// The table's row for a libblkid type, whatever hooks it has, or nullptr.
const FilesystemReader* filesystem_for(const std::string& type);
// The row for a libblkid type that maps used blocks (the ones kura images), or nullptr.
const FilesystemReader* filesystem_reader_for(const std::string& type);
// How a `dev:` repository on `type` is mounted; nullopt when kura does not mount it.
std::optional<RepositoryMount> repository_mount_for(const std::string& type);
// The types a `dev:` repository can live on, for messages.
std::vector<std::string> repository_filesystem_types();
// The first reader's diagnosis of a device libblkid recognised nothing on, or empty.
std::string diagnose_unrecognised_filesystem(const Device& device);
// The types kura images (rows that map used blocks), for messages.
std::vector<std::string> supported_filesystem_types();

}  // namespace kura
