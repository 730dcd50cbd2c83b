// The filesystem table's hooks, row by row: what kura images, what it repairs with which
// command and how it reads the tool's exit status, what it grows, and which filesystems a
// `dev:` repository can live on (the one list the CLI and the menu both read). The tools
// themselves run in the integration tests (test_fsck_sources, test_filesystem_grow).
#include "fs/filesystem.h"

#include "core/error.h"
#include "core/run_tool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace kura {
namespace {

using Strings = std::vector<std::string>;

Strings sorted(Strings v) {
    std::sort(v.begin(), v.end());
    return v;
}

// The message judge_repair throws for `exit_status`, or "" when it does not throw.
std::string refusal(const std::string& type, int exit_status) {
    try {
        filesystem_for(type)->judge_repair("p1 (/dev/x, " + type + ")", "/dev/x", ToolResult{exit_status, "tool said"});
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::source_unsupported);
        return e.what();
    }
    return "";
}

TEST(FilesystemTable, ImagesWhatItHasReadersFor) {
    EXPECT_EQ(sorted(supported_filesystem_types()),
              sorted({"ext2", "ext3", "ext4", "ext4dev", "vfat", "ntfs", "VMFS_volume_member", "VMFS", "xfs"}));
    // exFAT is a row (a repository can live on it) without a used-block reader.
    for (const char* mount_only : {"exfat"}) {
        ASSERT_NE(filesystem_for(mount_only), nullptr) << mount_only;
        EXPECT_EQ(filesystem_reader_for(mount_only), nullptr) << mount_only;
    }
    EXPECT_EQ(filesystem_for("btrfs"), nullptr);
    EXPECT_EQ(filesystem_reader_for("ext4"), filesystem_for("ext4"));
}

TEST(FilesystemTable, RepairCommandsPerFilesystem) {
    EXPECT_EQ(filesystem_for("ext3")->repair_command("/dev/x"), (Strings{"e2fsck", "-f", "-y", "/dev/x"}));
    EXPECT_EQ(filesystem_for("vfat")->repair_command("/dev/x"), (Strings{"fsck.fat", "-a", "-w", "/dev/x"}));
    EXPECT_EQ(filesystem_for("ntfs")->repair_command("/dev/x"), (Strings{"ntfsfix", "-d", "/dev/x"}));
    EXPECT_TRUE(filesystem_for("VMFS")->repair_command("/dev/x").empty());
    EXPECT_TRUE(filesystem_for("exfat")->repair_command("/dev/x").empty());
}

TEST(FilesystemTable, E2fsckExitStatusJudged) {
    EXPECT_EQ(filesystem_for("ext4")->judge_repair("p1", "/dev/x", ToolResult{0, ""}), "no errors");
    EXPECT_EQ(filesystem_for("ext4")->judge_repair("p1", "/dev/x", ToolResult{1, ""}), "errors found and corrected");
    EXPECT_EQ(filesystem_for("ext4")->judge_repair("p1", "/dev/x", ToolResult{2, ""}), "errors found and corrected");
    EXPECT_EQ(refusal("ext4", 4), "p1 (/dev/x, ext4): `e2fsck -f -y /dev/x` left errors uncorrected (exit 4); it is "
                                  "not saved. Its output:\ntool said");
    EXPECT_EQ(refusal("ext4", 8), "p1 (/dev/x, ext4): `e2fsck -f -y /dev/x` failed (exit 8); it is not saved. Its "
                                  "output:\ntool said");
    EXPECT_EQ(refusal("ext4", -1), "p1 (/dev/x, ext4): `e2fsck -f -y /dev/x` failed (killed by a signal); it is not "
                                   "saved. Its output:\ntool said");
}

TEST(FilesystemTable, FsckFatAndNtfsfixExitStatusJudged) {
    EXPECT_EQ(filesystem_for("vfat")->judge_repair("p1", "/dev/x", ToolResult{0, ""}), "no errors");
    // 2 is a usage error: nothing was checked. (1 runs fsck.fat -n: test_fsck_sources.)
    EXPECT_EQ(refusal("vfat", 2), "p1 (/dev/x, vfat): `fsck.fat -a -w /dev/x` failed (exit 2); it is not saved. Its "
                                  "output:\ntool said");
    EXPECT_EQ(filesystem_for("ntfs")->judge_repair("p1", "/dev/x", ToolResult{0, ""}),
              "repaired by ntfsfix (its journal reset)");
    EXPECT_EQ(refusal("ntfs", 1), "p1 (/dev/x, ntfs): `ntfsfix -d /dev/x` could not repair it (exit 1); it is not "
                                  "saved. Its output:\ntool said");
}

TEST(FilesystemTable, WhatGrows) {
    EXPECT_TRUE(filesystem_for("ext2")->grows());
    EXPECT_TRUE(filesystem_for("ntfs")->grows());
    EXPECT_FALSE(filesystem_for("vfat")->grows());
    EXPECT_FALSE(filesystem_for("VMFS")->grows());
    EXPECT_FALSE(filesystem_for("exfat")->grows());
}

TEST(FilesystemTable, RepositoryFilesystemsAndHowTheyMount) {
    EXPECT_EQ(sorted(repository_filesystem_types()), sorted({"ext2", "ext3", "ext4", "vfat", "ntfs", "exfat", "xfs"}));
    for (const char* no : {"ext4dev", "VMFS", "VMFS_volume_member", "swap", "btrfs", ""})
        EXPECT_FALSE(repository_mount_for(no)) << no;

    auto ext3 = repository_mount_for("ext3");
    ASSERT_TRUE(ext3);
    EXPECT_EQ(ext3->kernel_types, (Strings{"ext3", "ext4"}));  // the ext4 driver mounts all three
    EXPECT_TRUE(ext3->fuse_helper.empty());
    EXPECT_TRUE(ext3->unix_permissions);

    auto ntfs = repository_mount_for("ntfs");
    ASSERT_TRUE(ntfs);
    EXPECT_EQ(ntfs->kernel_types, (Strings{"ntfs3"}));
    EXPECT_EQ(ntfs->fuse_helper, "ntfs-3g");
    EXPECT_FALSE(ntfs->unix_permissions);

    for (const char* type : {"vfat", "exfat"}) {
        auto how = repository_mount_for(type);
        ASSERT_TRUE(how) << type;
        EXPECT_EQ(how->kernel_types, (Strings{type}));
        EXPECT_TRUE(how->fuse_helper.empty());
        EXPECT_FALSE(how->unix_permissions);
    }
    auto xfs = repository_mount_for("xfs");
    ASSERT_TRUE(xfs);
    EXPECT_EQ(xfs->kernel_types, (Strings{"xfs"}));
    EXPECT_TRUE(xfs->unix_permissions);
}

}  // namespace
}  // namespace kura
