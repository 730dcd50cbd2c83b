// `--fsck` (Clonezilla's -fsck-src-part-y): each source filesystem checked and repaired
// with its own tool before kura reads it, so a filesystem that was not unmounted cleanly
// is saved repaired instead of being refused (or imaged as it is with --fs-force). Which
// tool, and what its exit status means, is the filesystem's own (FilesystemReader's
// repair_command and judge_repair in src/fs/: e2fsck -f -y, fsck.fat -a -w, ntfsfix -d);
// this file decides when a repair runs. A filesystem without a repair tool (swap, VMFS, a
// partition copied whole) is left alone. A filesystem that is mounted, even read-only, is
// never repaired under its mount: it is skipped, and said so.
// The repair runs after the sources were found and checked for safety and before their
// filesystems are read for the plan, so the plan and the image are of the repaired state.
#pragma once

#include "fs/filesystem.h"
#include "pipeline/partition_save.h"

#include <string>
#include <vector>

namespace kura {

enum class SourceRepair {
    off,
    // --fsck with --dry-run: nothing is written; a filesystem refused only for being
    // unclean is read as it is for the plan, which says that the save would repair it.
    plan_only,
    repair,
};

// What a save request asks for. A resumed save repairs nothing: the interrupted run did,
// and a repair now would change the partitions it was saving (even a clean e2fsck -f
// rewrites the superblock's last-check time).
SourceRepair source_repair_mode(bool repair_first, bool dry_run, bool resume);

// The command that checks and repairs `fs_type` (as libblkid names it) on `path`; empty
// for a type kura does not repair.
std::vector<std::string> repair_command(const std::string& fs_type, const std::string& path);

// Checks and repairs the filesystem of type `fs_type` on `path` (called `name` in the
// image) and logs what was done; skips (and logs) a mounted one. `write_path` is where the
// tool writes: `path` itself, or a read-write loop window onto a partition of a disk image
// file. Throws Error(source_unsupported) naming the partition and the tool when errors are
// left, and when the tool cannot be run.
void repair_source_filesystem(const std::string& path, const std::string& name, const std::string& fs_type,
                              const std::string& write_path);

// inspect_partition() under `mode`: in a plan-only run, a filesystem refused as unclean is
// read as it is (as with --fs-force/--ntfs-force) and `notes` says why the real save will
// repair it first. Otherwise exactly inspect_partition().
PartitionSource inspect_partition_before_repair(const std::string& path, const std::string& name,
                                                const FsReadOptions& options, SourceRepair mode,
                                                std::vector<std::string>& notes);

}  // namespace kura
