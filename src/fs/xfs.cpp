// XFS v4 and v5, read the way partclone.xfs reads it, so the streams match bit for bit: every
// block is used except the free extents in each AG's by-block B+tree and the blocks on its
// free list. That copies all metadata, inodes, data and the internal log. Before anything
// is trusted the geometry is checked (fs/xfs_layout.cpp) and each AG's free space is
// cross-checked (fs/xfs_free_space.cpp); a log that was never replayed (fs/xfs_log.cpp) is
// refused like an unclean ext, unless --fs-force.
#include "fs/filesystem.h"
#include "fs/inconsistent_filesystem.h"
#include "fs/repair_failure.h"
#include "fs/xfs_free_space.h"
#include "fs/xfs_layout.h"
#include "fs/xfs_log.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/device.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

namespace kura {
namespace {

xfs::Superblock read_superblock(const std::string& path, const Device& device) {
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(std::min<std::uint64_t>(device.size(), xfs::kSuperblockReadSize)));
    device.read_at(bytes.data(), bytes.size(), 0);
    return xfs::parse_superblock(path, bytes.data(), bytes.size());
}

void refuse_unclean(const std::string& path, const Device& device, const xfs::Superblock& sb,
                    const FsReadOptions& options) {
    const xfs::LogState log = xfs::read_log_state(device, sb);
    if (log.clean) return;
    const std::string problem = path + ": this XFS was not unmounted cleanly: " + log.why;
    if (!options.force)
        throw Error(ExitCode::source_unsupported,
                    problem + ". Mount it once and unmount it to replay the log (xfs_repair refuses a dirty log), "
                              "then save again, or pass --fs-force to image it as it is");
    log::warn(problem + "; imaging it as it is (--fs-force): the log is copied, and replayed at the next mount");
}

class XfsReader : public FilesystemReader {
public:
    std::string name() const override { return "xfs"; }
    std::vector<std::string> types() const override { return {"xfs"}; }

    UsedBlockMap read_used_blocks(const std::string& path, const FsReadOptions& options) const override {
        Device device = Device::open(path, Access::read_only, Role::source);
        const xfs::Superblock sb = read_superblock(path, device);
        xfs::refuse_unsupported_features(path, sb);
        const std::uint64_t bytes = sb.dblocks * sb.block_size;
        if (bytes > device.size())
            throw Error(ExitCode::source_unsupported,
                        path + ": the XFS needs " + std::to_string(bytes) + " bytes but the device holds only " +
                            std::to_string(device.size()) + " (was the partition or image file cut short?)");
        refuse_unclean(path, device, sb, options);

        std::vector<xfs::Extent> free;
        for (std::uint32_t agno = 0; agno < sb.agcount; ++agno) {
            const std::vector<xfs::Extent> ag = xfs::read_ag_free_space(device, sb, agno);
            free.insert(free.end(), ag.begin(), ag.end());
        }
        const std::uint64_t log_start = sb.linear_block(sb.agno_of(sb.logstart), sb.agbno_of(sb.logstart));
        for (const xfs::Extent& e : free)
            if (e.start < log_start + sb.logblocks && log_start < e.start + e.length)
                throw InconsistentFilesystem(path, "XFS", "free space", "the free extent at block " +
                                             std::to_string(e.start) + " overlaps the internal log",
                                             "`xfs_repair " + path + "`");

        UsedBlockMap map;
        map.partclone_tag = "XFS";
        map.block_size = sb.block_size;
        map.device_size = bytes;
        map.used = Bitmap(sb.dblocks);
        std::uint64_t pos = 0;  // AGs come in order and each AG's extents are sorted
        for (const xfs::Extent& e : free) {
            map.used.set_range(pos, e.start - pos);
            pos = e.start + e.length;
        }
        map.used.set_range(pos, sb.dblocks - pos);
        // partclone.xfs's "used blocks as the filesystem reports": the superblock's count,
        // which calls the free-space btrees' own blocks (agf_btreeblks) free.
        map.fs_reported_used = sb.dblocks - sb.fdblocks;
        return map;
    }

    std::vector<std::string> repair_command(const std::string& path) const override { return {"xfs_repair", path}; }

    std::string judge_repair(const std::string& label, const std::string& path,
                             const ToolResult& result) const override {
        // xfs_repair: 0 = done (nothing left to fix), 2 = the log holds changes it will not
        // discard on its own, 1 = it could not finish.
        if (result.exit_status == 0) return "checked and repaired where needed";
        if (result.exit_status == 2)
            throw_repair_failure(label, repair_command(path), result,
                                 "refused: its log holds changes that were never replayed; mount the filesystem "
                                 "once to replay the log, then save again (`xfs_repair -L` would discard them)");
        throw_repair_failure(label, repair_command(path), result, "failed");
    }

    bool grows() const override { return true; }

    void grow(const std::string& path) const override {
        // xfs_growfs works only on a mounted XFS: mount it where nobody else looks, grow, unmount.
        char dir[] = "/tmp/kura-xfs-grow.XXXXXX";
        if (!mkdtemp(dir)) throw Error(ExitCode::io_error, path + ": cannot make a directory to mount it for growing");
        const std::string mountpoint = dir;
        try {
            run_tool_checked({"mount", "-t", "xfs", path, mountpoint}, ExitCode::io_error);
            try {
                run_tool_checked({"xfs_growfs", mountpoint}, ExitCode::io_error);
            } catch (...) {
                run_tool({"umount", mountpoint});
                throw;
            }
            run_tool_checked({"umount", mountpoint}, ExitCode::io_error);
        } catch (...) {
            rmdir(dir);
            throw;
        }
        rmdir(dir);
    }

    std::optional<RepositoryMount> repository_mount(const std::string&) const override {
        return RepositoryMount{{"xfs"}, "", true};
    }
};

}  // namespace

std::unique_ptr<FilesystemReader> make_xfs_reader() { return std::make_unique<XfsReader>(); }

}  // namespace kura
