// ext2/ext3/ext4 through libext2fs, e2fsprogs' own library, so every layout mke2fs can make
// (1-64 KiB blocks, flex_bg, meta_bg, 64bit, bigalloc clusters, BLOCK_UNINIT groups,
// sparse_super2, no journal) is read the way e2fsck reads it. Before its block bitmap is
// trusted, the metadata is cross-checked against it (fs/ext_consistency.cpp).
#include "fs/ext_consistency.h"
#include "fs/filesystem.h"
#include "fs/repair_failure.h"

#include "core/error.h"
#include "core/run_tool.h"

#include <ext2fs/ext2fs.h>

#include <memory>
#include <mutex>

namespace kura {
namespace {

// libext2fs's messages come from com_err's table, which the library does not register
// itself: without this every error reads "Unknown code ext2 156".
void register_error_table() {
    static std::once_flag once;
    std::call_once(once, [] { initialize_ext2_error_table(); });
}

class ExtFs {
public:
    ExtFs(const std::string& path) : path_(path) {
        register_error_table();
        // Read-only; 64-bit block numbers; tolerate features newer than this library knows
        // only if they don't change the on-disk layout (SOFTSUPP).
        int flags = EXT2_FLAG_64BITS | EXT2_FLAG_SOFTSUPP_FEATURES;
        errcode_t rc = ext2fs_open(path.c_str(), flags, 0, 0, unix_io_manager, &fs_);
        if (rc) fail("cannot open it as ext2/3/4", rc);
    }
    ~ExtFs() {
        if (fs_) ext2fs_close_free(&fs_);
    }
    ext2_filsys get() const { return fs_; }

    [[noreturn]] void fail(const std::string& what, errcode_t rc) const {
        throw Error(ExitCode::source_unsupported, path_ + ": " + what + " (" + error_message(rc) + ")");
    }

private:
    std::string path_;
    ext2_filsys fs_ = nullptr;
};

void refuse_unclean(const std::string& path, ext2_filsys fs, const FsReadOptions& options) {
    ext2_super_block* sb = fs->super;  // the feature tests take a non-const pointer
    std::string problem;
    if (ext2fs_has_feature_journal_dev(sb))
        throw Error(ExitCode::source_unsupported,
                    path + ": this is an external ext journal device, not a filesystem; image it raw");
    if (ext2fs_has_feature_journal_needs_recovery(sb))
        problem = "its journal has not been replayed (the filesystem was not unmounted cleanly)";
    else if (sb->s_state & EXT2_ERROR_FS)
        problem = "the kernel recorded errors on it";
    else if (!(sb->s_state & EXT2_VALID_FS))
        problem = "it was not unmounted cleanly";
    if (problem.empty()) return;
    if (!options.force)
        throw Error(ExitCode::source_unsupported,
                    path + ": " + problem + "; run `e2fsck -f " + path +
                        "` first (or pass --fs-force to image it as it is)");
}

class ExtReader : public FilesystemReader {
public:
    std::string name() const override { return "ext"; }
    std::vector<std::string> types() const override { return {"ext2", "ext3", "ext4", "ext4dev"}; }

    UsedBlockMap read_used_blocks(const std::string& path, const FsReadOptions& options) const override {
        ExtFs ext(path);
        ext2_filsys fs = ext.get();
        refuse_unclean(path, fs, options);
        check_ext_descriptors(path, fs);
        // libext2fs fills in BLOCK_UNINIT groups (their superblock backups, descriptors and
        // bitmaps) itself, so its bitmap is the true used set.
        if (errcode_t rc = ext2fs_read_block_bitmap(fs)) ext.fail("cannot read the block bitmap", rc);
        check_ext_used_set(path, fs);

        UsedBlockMap map;
        map.partclone_tag = "EXTFS";
        map.block_size = fs->blocksize;
        const blk64_t total = ext2fs_blocks_count(fs->super);
        map.device_size = total * fs->blocksize;
        map.used = Bitmap(total);

        // Blocks before the first data block (the boot block of a 1 KiB-block filesystem)
        // belong to no group; Partclone copies them, so do we.
        const blk64_t first = fs->super->s_first_data_block;
        if (first > 0) map.used.set_range(0, first);

        // Walk runs instead of single bits: with bigalloc the bitmap is per cluster and
        // these calls translate block numbers for us.
        blk64_t pos = first;
        const blk64_t last = total - 1;
        while (pos <= last) {
            blk64_t start = 0, end = 0;
            if (ext2fs_find_first_set_block_bitmap2(fs->block_map, pos, last, &start) != 0) break;
            if (ext2fs_find_first_zero_block_bitmap2(fs->block_map, start, last, &end) != 0) end = last + 1;
            if (end > total) end = total;
            map.used.set_range(start, end - start);
            pos = end;
        }
        return map;
    }

    std::vector<std::string> repair_command(const std::string& path) const override {
        return {"e2fsck", "-f", "-y", path};
    }

    std::string judge_repair(const std::string& label, const std::string& path,
                             const ToolResult& result) const override {
        // e2fsck: 1 = errors corrected, 2 = corrected and a reboot wanted (only for a
        // mounted root, which is never repaired here); 4 and up = errors left, or it failed.
        if (result.exit_status == 0) return "no errors";
        if (result.exit_status == 1 || result.exit_status == 2) return "errors found and corrected";
        throw_repair_failure(label, repair_command(path), result,
                             result.exit_status == 4 ? "left errors uncorrected" : "failed");
    }

    bool grows() const override { return true; }

    void grow(const std::string& path) const override {
        // resize2fs wants a freshly checked filesystem; e2fsck's 1 means "fixed something".
        run_tool_checked({"e2fsck", "-f", "-y", path}, ExitCode::io_error, {0, 1});
        run_tool_checked({"resize2fs", path}, ExitCode::io_error);
    }

    std::optional<RepositoryMount> repository_mount(const std::string& type) const override {
        // The ext4 driver mounts all three; ext4dev (a test flag) is not a repository.
        if (type == "ext4dev") return std::nullopt;
        return RepositoryMount{{type, "ext4"}, "", true};
    }
};

}  // namespace

std::unique_ptr<FilesystemReader> make_ext_reader() { return std::make_unique<ExtReader>(); }

}  // namespace kura
