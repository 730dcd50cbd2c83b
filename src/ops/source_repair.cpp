#include "ops/source_repair.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/safety.h"

namespace kura {
namespace {

bool is_ext(const std::string& fs_type) {
    return fs_type == "ext2" || fs_type == "ext3" || fs_type == "ext4" || fs_type == "ext4dev";
}

std::string command_text(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s;
}

// The last lines of what a tool printed, enough to say what it could not fix.
std::string output_tail(const std::string& output) {
    constexpr std::size_t kMax = 1500;
    std::string tail = output.size() > kMax ? "..." + output.substr(output.size() - kMax) : output;
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
    return tail;
}

[[noreturn]] void fail(const std::string& label, const std::vector<std::string>& argv, const ToolResult& r,
                       const std::string& what) {
    throw Error(ExitCode::source_unsupported,
                label + ": `" + command_text(argv) + "` " + what +
                    (r.exit_status >= 0 ? " (exit " + std::to_string(r.exit_status) + ")" : " (killed by a signal)") +
                    "; it is not saved. Its output:\n" + output_tail(r.output));
}

// Whether the tool's exit status means the filesystem is consistent now; throws otherwise.
// Returns true when it changed something.
bool judge(const std::string& label, const std::string& fs_type, const std::vector<std::string>& argv,
           const ToolResult& r, const std::string& write_path) {
    if (is_ext(fs_type)) {
        // e2fsck: 1 = errors corrected, 2 = corrected and a reboot wanted (only for a
        // mounted root, which is never repaired here); 4 and up = errors left, or it failed.
        if (r.exit_status == 0) return false;
        if (r.exit_status == 1 || r.exit_status == 2) return true;
        fail(label, argv, r, r.exit_status == 4 ? "left errors uncorrected" : "failed");
    }
    if (fs_type == "vfat") {
        // fsck.fat: 0 = nothing found; 1 = "recoverable errors detected" (repaired with -a)
        // but also "internal inconsistency" when it gave up; 2 = usage, nothing accessed.
        // So after a 1, a read-only check must find it clean.
        if (r.exit_status == 0) return false;
        if (r.exit_status != 1) fail(label, argv, r, "failed");
        std::vector<std::string> recheck{"fsck.fat", "-n", write_path};
        ToolResult again = run_tool(recheck, ExitCode::source_unsupported);
        log::debug(command_text(recheck) + " (exit " + std::to_string(again.exit_status) + "):\n" + again.output);
        if (again.exit_status != 0) fail(label, recheck, again, "still finds errors after `fsck.fat -a -w`");
        return true;
    }
    // ntfsfix: 0 = done, 1 = it could not fix or mount the volume.
    if (r.exit_status != 0) fail(label, argv, r, "could not repair it");
    return true;  // it always resets the journal
}

}  // namespace

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
    if (is_ext(fs_type)) return {"e2fsck", "-f", "-y", path};
    if (fs_type == "vfat") return {"fsck.fat", "-a", "-w", path};
    if (fs_type == "ntfs") return {"ntfsfix", "-d", path};
    return {};
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
    bool changed = judge(label, fs_type, argv, r, write_path);
    log::info("--fsck: " + label + ": " +
              (changed ? (fs_type == "ntfs" ? "repaired by ntfsfix (its journal reset)" : "errors found and corrected")
                       : "no errors"));
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
