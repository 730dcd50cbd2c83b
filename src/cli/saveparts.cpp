#include "cli/common_options.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/log.h"
#include "core/units.h"
#include "ops/save_parts.h"

#include <cstdio>
#include <thread>

namespace kura::cli {

int run_saveparts(const std::vector<std::string>& argv, const std::vector<std::string>& full_argv) {
    auto specs = common_option_specs();
    specs.push_back({{"-z", "--compress"}, true});
    specs.push_back({{"--level"}, true});
    specs.push_back({{"--split"}, true});
    specs.push_back({{"--threads"}, true});
    specs.push_back({{"--no-verify"}, false});
    specs.push_back({{"--fs-force"}, false});
    specs.push_back({{"--ntfs-force"}, false});
    specs.push_back({{"--resume"}, false});
    Args args("saveparts", argv, specs);
    log::set_verbose(args.flag("--verbose"));
    if (args.positionals().size() < 2)
        throw Error(ExitCode::usage, "saveparts: usage: kura saveparts [options] IMAGE PART...");

    SavePartsRequest request;
    request.repo = repo_option(args);
    request.image = args.positionals().front();
    request.sources.assign(args.positionals().begin() + 1, args.positionals().end());
    request.progress = progress_option(args);
    request.dry_run = args.flag("--dry-run");
    request.resume = args.flag("--resume");
    request.verify = !args.flag("--no-verify");
    request.fs.force = args.flag("--fs-force");
    request.fs.ntfs_force = args.flag("--ntfs-force");
    request.command_line = quoted_command_line(full_argv);

    std::string codec_name = args.value("-z").value_or("zstd");
    request.settings.codec = codec_by_name(codec_name);
    if (!request.settings.codec || !request.settings.codec->make_compressor)
        throw Error(ExitCode::usage, "-z: '" + codec_name + "' is not one of zstd, gzip, none");
    const Codec& codec = *request.settings.codec;
    request.settings.compress.level = codec.default_level;
    if (auto level = args.value("--level")) {
        if (codec.max_level == 0) throw Error(ExitCode::usage, "--level: -z none has no levels");
        request.settings.compress.level =
            static_cast<int>(parse_int(*level, "--level", codec.min_level, codec.max_level));
    }
    unsigned cores = std::thread::hardware_concurrency();
    request.settings.compress.threads = static_cast<int>(cores ? cores : 1);
    if (auto threads = args.value("--threads"))
        request.settings.compress.threads = static_cast<int>(parse_int(*threads, "--threads", 1, 256));
    request.settings.split_bytes = parse_size(args.value("--split").value_or("4096"), "--split");

    SaveOutcome outcome = save_parts(request, [&](const Plan& plan) {
        std::fprintf(stderr, "%s", plan.describe().c_str());
    });
    if (request.dry_run) return 0;

    double rate = outcome.seconds > 0 ? static_cast<double>(outcome.plan.total_used_bytes()) / outcome.seconds : 0;
    if (args.flag("--json")) {
        std::printf("{\"verb\":\"saveparts\",\"image\":%s,\"repo\":%s,\"parts\":%zu,\"data_bytes\":%llu,"
                    "\"image_bytes\":%llu,\"seconds\":%.3f,\"verified\":%s}\n",
                    json_string(request.image).c_str(), json_string(outcome.plan.repo).c_str(),
                    outcome.manifest.parts.size(),
                    static_cast<unsigned long long>(outcome.plan.total_used_bytes()),
                    static_cast<unsigned long long>(outcome.image_bytes), outcome.seconds,
                    outcome.manifest.verified ? "true" : "false");
    } else {
        std::printf("saved %s: %zu partition(s), %s of data in %s of image files, %.1f s (%s/s)%s\n",
                    request.image.c_str(), outcome.manifest.parts.size(),
                    format_bytes(outcome.plan.total_used_bytes()).c_str(),
                    format_bytes(outcome.image_bytes).c_str(), outcome.seconds,
                    format_bytes(static_cast<std::uint64_t>(rate)).c_str(),
                    outcome.manifest.verified ? ", verified" : "");
    }
    return 0;
}

}  // namespace kura::cli
