#include "fs/ext_consistency.h"

#include "core/error.h"
#include "fs/inconsistent_filesystem.h"

#include <et/com_err.h>

namespace kura {
namespace {

[[noreturn]] void inconsistent(const std::string& path, ext2_filsys fs, const std::string& check,
                               const std::string& detail) {
    throw InconsistentFilesystem(path, ext_flavour(fs), check, detail, "`e2fsck -f " + path + "`");
}

struct BitmapCloser {
    ext2fs_block_bitmap bitmap = nullptr;
    ~BitmapCloser() {
        if (bitmap) ext2fs_free_block_bitmap(bitmap);
    }
};

// The first block of [first, last] that the filesystem's block bitmap calls free, if any.
bool first_free_in(ext2_filsys fs, blk64_t first, blk64_t last, blk64_t& free_block) {
    return ext2fs_find_first_zero_block_bitmap2(fs->block_map, first, last, &free_block) == 0;
}

// Marks every block group `group`'s own metadata occupies: superblock copy, descriptors
// (reserved GDT blocks included), both bitmaps and the inode table. Each location was
// range-checked by ext2fs_check_desc before, so marking never leaves the bitmap.
void mark_group_metadata(ext2_filsys fs, dgrp_t group, ext2fs_block_bitmap metadata) {
    ext2fs_reserve_super_and_bgd(fs, group, metadata);
    ext2fs_mark_block_bitmap2(metadata, ext2fs_block_bitmap_loc(fs, group));
    ext2fs_mark_block_bitmap2(metadata, ext2fs_inode_bitmap_loc(fs, group));
    ext2fs_mark_block_bitmap_range2(metadata, ext2fs_inode_table_loc(fs, group), fs->inode_blocks_per_group);
}

void check_group_metadata_used(const std::string& path, ext2_filsys fs) {
    BitmapCloser metadata;
    if (errcode_t rc = ext2fs_allocate_block_bitmap(fs, "kura metadata", &metadata.bitmap))
        throw Error(ExitCode::internal, path + ": cannot allocate a block bitmap (" + error_message(rc) + ")");
    for (dgrp_t g = 0; g < fs->group_desc_count; ++g) mark_group_metadata(fs, g, metadata.bitmap);

    const blk64_t first = fs->super->s_first_data_block;
    const blk64_t last = ext2fs_blocks_count(fs->super) - 1;
    blk64_t pos = first;
    while (pos <= last) {
        blk64_t start = 0, end = 0;
        if (ext2fs_find_first_set_block_bitmap2(metadata.bitmap, pos, last, &start) != 0) break;
        if (ext2fs_find_first_zero_block_bitmap2(metadata.bitmap, start, last, &end) != 0) end = last + 1;
        blk64_t free_block = 0;
        if (first_free_in(fs, start, end - 1, free_block)) {
            const dgrp_t group = ext2fs_group_of_blk2(fs, free_block);
            inconsistent(path, fs, "group metadata not in the block bitmap",
                         "block " + std::to_string(free_block) + " (in group " + std::to_string(group) +
                             ") holds a superblock, group descriptors, a bitmap or an inode table, but the block "
                             "bitmap calls it free");
        }
        pos = end;
    }
}

struct JournalWalk {
    std::string problem;
};

int check_journal_block(ext2_filsys fs, blk64_t* block, e2_blkcnt_t, blk64_t, int, void* data) {
    auto* walk = static_cast<JournalWalk*>(data);
    blk64_t free_block = 0;
    if (*block < fs->super->s_first_data_block || *block >= ext2fs_blocks_count(fs->super))
        walk->problem = "the journal inode names block " + std::to_string(*block) + ", outside the filesystem";
    else if (first_free_in(fs, *block, *block, free_block))
        walk->problem = "the journal's block " + std::to_string(*block) + " is free in the block bitmap";
    return walk->problem.empty() ? 0 : BLOCK_ABORT;
}

void check_journal_used(const std::string& path, ext2_filsys fs) {
    const ext2_ino_t journal = fs->super->s_journal_inum;
    if (!ext2fs_has_feature_journal(fs->super) || journal == 0) return;  // none, or an external one
    JournalWalk walk;
    errcode_t rc = ext2fs_block_iterate3(fs, journal, BLOCK_FLAG_READ_ONLY, nullptr, check_journal_block, &walk);
    if (rc) inconsistent(path, fs, "journal inode unreadable", std::string("its block map: ") + error_message(rc));
    if (!walk.problem.empty()) inconsistent(path, fs, "journal not in the block bitmap", walk.problem);
}

// Free clusters as the bitmap and the group descriptors count them must agree: e2fsck's
// pass 5 calls every difference an error. The superblock's total is only compared for a
// number no filesystem can have: the kernel updates it lazily, and e2fsck -n accepts a
// stale one (e2fsck -y rewrites it silently).
void check_free_counts(const std::string& path, ext2_filsys fs) {
    const blk64_t first = fs->super->s_first_data_block;
    const blk64_t last = ext2fs_blocks_count(fs->super) - 1;
    blk64_t used = 0;
    if (errcode_t rc = ext2fs_count_used_clusters(fs, first, last, &used))
        inconsistent(path, fs, "block bitmap unreadable", error_message(rc));
    const blk64_t clusters = EXT2FS_B2C(fs, last) - EXT2FS_B2C(fs, first) + 1;
    const blk64_t bitmap_free = clusters - used;
    blk64_t groups_free = 0;
    for (dgrp_t g = 0; g < fs->group_desc_count; ++g) groups_free += ext2fs_bg_free_blocks_count(fs, g);
    if (groups_free != bitmap_free)
        inconsistent(path, fs, "free blocks count",
                     "the block bitmap has " + std::to_string(EXT2FS_C2B(fs, bitmap_free)) +
                         " free blocks, the group descriptors count " + std::to_string(EXT2FS_C2B(fs, groups_free)));
    const blk64_t super_free = ext2fs_free_blocks_count(fs->super);
    if (super_free > ext2fs_blocks_count(fs->super))
        inconsistent(path, fs, "free blocks count",
                     "the superblock counts " + std::to_string(super_free) + " free blocks of " +
                         std::to_string(ext2fs_blocks_count(fs->super)));
}

}  // namespace

std::string ext_flavour(ext2_filsys fs) {
    ext2_super_block* sb = fs->super;  // the feature tests take a non-const pointer
    if (ext2fs_has_feature_extents(sb) || ext2fs_has_feature_flex_bg(sb) || ext2fs_has_feature_64bit(sb) ||
        ext2fs_has_feature_huge_file(sb) || ext2fs_has_feature_metadata_csum(sb) || ext2fs_has_feature_gdt_csum(sb) ||
        ext2fs_has_feature_bigalloc(sb) || ext2fs_has_feature_dir_nlink(sb) || ext2fs_has_feature_extra_isize(sb))
        return "ext4";
    return ext2fs_has_feature_journal(sb) ? "ext3" : "ext2";
}

void check_ext_descriptors(const std::string& path, ext2_filsys fs) {
    if (errcode_t rc = ext2fs_check_desc(fs))
        inconsistent(path, fs, "group descriptors (ext2fs_check_desc)", error_message(rc));
}

void check_ext_used_set(const std::string& path, ext2_filsys fs) {
    check_group_metadata_used(path, fs);
    check_journal_used(path, fs);
    check_free_counts(path, fs);
}

}  // namespace kura
