// A menu job in the engine's terms: the requests the `kura` verbs build (src/cli/*.cpp),
// with the CLI's defaults, and the command line that runs the same job unattended.
#include "tui/job.h"

#include "codec/codec.h"
#include "core/error.h"
#include "core/shell_quote.h"

#include <thread>

namespace kura::tui {
namespace {

// Job::split_mb counts what the CLI's bare `--split N` counts: MB of 10^6 bytes,
// Clonezilla's `-i N`. So the menu's default 4096 is the CLI's default, and its pieces stay
// under FAT32's 4 GiB - 1 file limit (4096 MiB would be one byte too many). The
// equivalent command then writes the same bare number.
constexpr std::uint64_t kSplitUnit = 1000 * 1000;

// The CLI's -z and --level, checked the same way (src/cli/save_options.cpp).
SaveSettings save_settings(const Job& job) {
    SaveSettings settings;
    settings.codec = codec_by_name(job.codec);
    if (!settings.codec || !settings.codec->make_compressor)
        throw Error(ExitCode::usage, "-z: '" + job.codec + "' is not one of zstd, gzip, none");
    const Codec& codec = *settings.codec;
    settings.compress.level = codec.default_level;
    if (codec.max_level != 0) {
        if (job.level < codec.min_level || job.level > codec.max_level)
            throw Error(ExitCode::usage, "--level: '" + std::to_string(job.level) + "' is not a number from " +
                                             std::to_string(codec.min_level) + " to " +
                                             std::to_string(codec.max_level));
        settings.compress.level = job.level;
    }
    unsigned cores = std::thread::hardware_concurrency();
    settings.compress.threads = static_cast<int>(cores ? cores : 1);
    settings.split_bytes = job.split_mb * kSplitUnit;  // 0: one file, as `--split 0`
    return settings;
}

bool has_levels(const Job& job) {
    const Codec* codec = codec_by_name(job.codec);
    return codec && codec->max_level != 0;
}

std::string joined(const std::vector<std::string>& items, char separator) {
    std::string s;
    for (const auto& item : items) s += (s.empty() ? "" : std::string(1, separator)) + item;
    return s;
}

}  // namespace

const char* job_mode_name(JobMode mode) {
    switch (mode) {
        case JobMode::savedisk: return "savedisk";
        case JobMode::restoredisk: return "restoredisk";
        case JobMode::saveparts: return "saveparts";
        case JobMode::restoreparts: return "restoreparts";
        case JobMode::checkimage: return "checkimage";
    }
    return "?";
}

// Options in one fixed order, so the same job always reads the same:
//   kura savedisk    --repo R -z C [--level N] --split S [--no-verify] [--fsck] [--devices A,B] IMAGE DISK...
//   kura saveparts   --repo R -z C [--level N] --split S [--no-verify] [--fsck] IMAGE PART...
//   kura restoredisk --repo R [--check-first] [--grow] [--devices A,B] --yes IMAGE DISK...
//   kura restoreparts --repo R [--check-first] --yes IMAGE PART...
//   kura checkimage  --repo R IMAGE
std::vector<std::string> equivalent_argv(const Job& job) {
    std::vector<std::string> argv{"kura", job_mode_name(job.mode), "--repo", job.repo};
    const bool save = job.mode == JobMode::savedisk || job.mode == JobMode::saveparts;
    const bool restore = job.mode == JobMode::restoredisk || job.mode == JobMode::restoreparts;
    const bool whole_disks = job.mode == JobMode::savedisk || job.mode == JobMode::restoredisk;
    if (save) {
        argv.insert(argv.end(), {"-z", job.codec});
        if (has_levels(job)) argv.insert(argv.end(), {"--level", std::to_string(job.level)});
        argv.insert(argv.end(), {"--split", std::to_string(job.split_mb)});
        if (!job.verify) argv.push_back("--no-verify");
        if (job.fsck_first) argv.push_back("--fsck");
    }
    if (restore && job.check_first) argv.push_back("--check-first");
    if (job.mode == JobMode::restoredisk && job.grow) argv.push_back("--grow");
    if (whole_disks && !job.only_devices.empty())
        argv.insert(argv.end(), {"--devices", joined(job.only_devices, ',')});
    if (restore) argv.push_back("--yes");
    argv.push_back(job.image);
    if (job.mode != JobMode::checkimage) argv.insert(argv.end(), job.devices.begin(), job.devices.end());
    return argv;
}

std::string equivalent_command(const Job& job) { return shell_command_line(equivalent_argv(job)); }

std::vector<std::string> equivalent_command_lines(const Job& job, std::size_t width) {
    const std::vector<std::string> argv = equivalent_argv(job);
    // Words that belong together: "kura MODE", and each "--option VALUE".
    // A pair too long for one line (a deep repository path) goes on two: the front would
    // otherwise wrap it by itself and part the " \\" from its line.
    const std::string indent = "  ";
    std::vector<std::string> groups;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        std::string group = shell_quote(argv[i]);
        bool takes_value = argv[i] == "--repo" || argv[i] == "-z" || argv[i] == "--level" || argv[i] == "--split" ||
                           argv[i] == "--devices" || i == 0;
        if (takes_value && i + 1 < argv.size()) {
            std::string value = shell_quote(argv[++i]);
            if (indent.size() + group.size() + 1 + value.size() + 2 > width) {
                groups.push_back(group);
                group = value;
            } else {
                group += " " + value;
            }
        }
        groups.push_back(group);
    }
    std::vector<std::string> lines;
    std::string line;
    for (const auto& group : groups) {
        // Room for the " \\" that ends a line which continues.
        if (!line.empty() && line.size() + 1 + group.size() + 2 > width) {
            lines.push_back(line + " \\");
            line = indent;
        }
        line += (line.empty() || line == indent ? "" : " ") + group;
    }
    lines.push_back(line);
    return lines;
}

namespace {

// What every request of a kind takes from the job alike; each builder adds its own fields.
SaveRequest save_request(const Job& job, SaveScope scope) {
    SaveRequest request;
    request.scope = scope;
    request.image = job.image;
    request.sources = job.devices;
    request.settings = save_settings(job);
    request.verify = job.verify;
    request.repair_first = job.fsck_first;
    request.command_line = equivalent_command(job);
    return request;
}

RestoreRequest restore_request(const Job& job, RestoreScope scope) {
    RestoreRequest request;
    request.scope = scope;
    request.targets = job.devices;
    request.check_first = job.check_first;
    return request;
}

}  // namespace

SaveRequest save_disk_request(const Job& job) {
    SaveRequest request = save_request(job, SaveScope::disks);
    request.discovery.only = job.only_devices;
    return request;
}

SaveRequest save_parts_request(const Job& job) { return save_request(job, SaveScope::partitions); }

RestoreRequest restore_disk_request(const Job& job) {
    RestoreRequest request = restore_request(job, RestoreScope::disks);
    request.grow = job.grow;
    request.discovery.only = job.only_devices;
    return request;
}

RestoreRequest restore_parts_request(const Job& job) { return restore_request(job, RestoreScope::partitions); }

}  // namespace kura::tui
