#include "ops/source_repair.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/safety.h"
#include "fs/repair_failure.h"

namespace kura {

SourceRepair source_repair_mode(bool repair_first, bool dry_run, bool resume) {
    if (!repair_first) return SourceRepair::off;
    if (dry_run) return SourceRepair::plan_only;
    if (resume) {
        log::info("--fsck: a resumed save repairs no source (the interrupted run did; a repair now would change "
                  "what it was saving)");
        return SourceRepair::off;
    }
    return SourceRepair::repair;
}

std::vector<std::string> repair_command(const std::string& fs_type, const std::string& path) {
    const FilesystemReader* fs = filesystem_for(fs_type);
    return fs ? fs->repair_command(path) : std::vector<std::string>{};
}

void repair_source_filesystem(const std::string& path, const std::string& name, const std::string& fs_type,
                              const std::string& write_path) {
    const std::string label = name + " (" + path + ", " + (fs_type.empty() ? "no filesystem" : fs_type) + ")";
    std::vector<std::string> argv = repair_command(fs_type, write_path);
    if (argv.empty()) {
        log::info("--fsck: " + label + ": kura has no repair tool for it; it is read as it is");
        return;
    }
    if (auto mounts = source_mount_points(path); !mounts.empty()) {
        log::warn("--fsck: " + label + " is mounted at " + mounts.front() +
                  "; a mounted filesystem is not repaired, it is read as it is");
        return;
    }
    log::info("--fsck: checking and repairing " + label + " with " + command_text(argv));
    ToolResult r = run_tool(argv, ExitCode::source_unsupported);
    log::debug(command_text(argv) + " (exit " + std::to_string(r.exit_status) + "):\n" + r.output);
    log::info("--fsck: " + label + ": " + filesystem_for(fs_type)->judge_repair(label, write_path, r));
}

PartitionSource inspect_partition_before_repair(const std::string& path, const std::string& name,
                                                const FsReadOptions& options, SourceRepair mode,
                                                std::vector<std::string>& notes) {
    if (mode != SourceRepair::plan_only) return inspect_partition(path, name, options);
    PartitionSource source;
    std::string unclean;
    try {
        source = inspect_partition(path, name, options);
    } catch (const Error& e) {
        if (e.code() != ExitCode::source_unsupported) throw;
        // Read it as it is; a refusal for anything but uncleanliness comes back the same.
        FsReadOptions as_it_is = options;
        as_it_is.force = as_it_is.ntfs_force = true;
        source = inspect_partition(path, name, as_it_is);
        if (repair_command(source.probe.type, path).empty()) throw;
        unclean = e.what();
        // Read whole only for this plan: the save repairs it first, and --fs-force was not given.
        if (source.raw && !options.force)
            source.raw_reason = "its metadata is inconsistent; --fsck repairs it before it is read (this dry run "
                                "shows it copied whole)";
    }
    std::vector<std::string> argv = repair_command(source.probe.type, path);
    if (argv.empty()) return source;
    if (auto mounts = source_mount_points(path); !mounts.empty()) {
        // The save itself would meet the refusal: say it now.
        if (!unclean.empty())
            throw Error(ExitCode::source_unsupported,
                        unclean + " (it is mounted at " + mounts.front() + ", so --fsck cannot repair it)");
        notes.push_back(name + ": mounted at " + mounts.front() + ", so --fsck will not repair it");
    } else {
        notes.push_back(name + ": --fsck will check and repair it with `" + command_text(argv) +
                        "` before saving (not in a dry run)" +
                        (unclean.empty() ? "" : "; this dry run read it as it is: " + unclean));
    }
    return source;
}

}  // namespace kura
