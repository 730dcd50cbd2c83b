// Cross-checks of an ext2/3/4 filesystem's metadata against its block bitmap, run before
// its used set is trusted (fs/ext.cpp). A group descriptor that points outside the
// filesystem, or a bitmap that calls the superblock, the descriptors, the bitmaps, the
// inode tables or the journal free, would give an image that restores into a filesystem
// without them; e2fsck cannot repair that afterwards, but can before. Each failure throws
// InconsistentFilesystem naming the check and `e2fsck -f` as the repair.
#pragma once

#include <ext2fs/ext2fs.h>

#include <string>

namespace kura {

// "ext2", "ext3" or "ext4", from the features, for messages.
std::string ext_flavour(ext2_filsys fs);

// Before the bitmaps are read: every group descriptor's bitmaps and inode table lie inside
// the filesystem and overlap nothing (ext2fs_check_desc, what e2fsck runs first).
void check_ext_descriptors(const std::string& path, ext2_filsys fs);

// After the block bitmap is read: every group's metadata blocks and the journal inode's
// blocks are in the used set, and the bitmap's free count agrees with the group
// descriptors' (the superblock's total only has to be possible: e2fsck accepts a stale one).
void check_ext_used_set(const std::string& path, ext2_filsys fs);

}  // namespace kura
