#include "cli/save_options.h"

#include "cli/common_options.h"
#include "core/error.h"
#include "core/units.h"

#include <cstdio>
#include <cstdlib>
#include <thread>

namespace kura::cli {

std::vector<OptionSpec> save_option_specs() {
    return {{{"-z", "--compress"}, true}, {{"--level"}, true},      {{"--split"}, true},     {{"--threads"}, true},
            {{"--no-verify"}, false},     {{"--fs-force"}, false}, {{"--ntfs-force"}, false},
            {{"--fsck"}, false}};
}

SaveOptions read_save_options(const Args& args) {
    SaveOptions o;
    o.verify = !args.flag("--no-verify");
    o.repair_first = args.flag("--fsck");
    o.fs.force = args.flag("--fs-force");
    o.fs.ntfs_force = args.flag("--ntfs-force");
    std::string codec_name = args.value("-z").value_or("zstd");
    o.settings.codec = codec_by_name(codec_name);
    if (!o.settings.codec || !o.settings.codec->make_compressor)
        throw Error(ExitCode::usage, "-z: '" + codec_name + "' is not one of zstd, gzip, none");
    const Codec& codec = *o.settings.codec;
    o.settings.compress.level = codec.default_level;
    if (auto level = args.value("--level")) {
        if (codec.max_level == 0) throw Error(ExitCode::usage, "--level: -z none has no levels");
        o.settings.compress.level = static_cast<int>(parse_int(*level, "--level", codec.min_level, codec.max_level));
    }
    unsigned cores = std::thread::hardware_concurrency();
    o.settings.compress.threads = static_cast<int>(cores ? cores : 1);
    if (auto threads = args.value("--threads"))
        o.settings.compress.threads = static_cast<int>(parse_int(*threads, "--threads", 1, 256));
    o.settings.split_bytes = parse_size(args.value("--split").value_or("4096"), "--split");
    // The engine reads no environment: what these variables say reaches it as settings.
    if (const char* bytes = std::getenv("KURA_CHECKPOINT_BYTES"); bytes && *bytes)
        o.settings.checkpoint_bytes = parse_checkpoint_bytes(bytes);
    if (const char* dir = std::getenv("KURA_LIVE_LOG_DIR")) o.settings.live_log_dir = dir;
    return o;
}

void print_save_outcome(const std::string& verb, const std::string& image, const SaveOutcome& outcome, bool json) {
    double rate = outcome.seconds > 0 ? static_cast<double>(outcome.plan.total_used_bytes()) / outcome.seconds : 0;
    if (json) {
        std::printf("{\"verb\":%s,\"image\":%s,\"repo\":%s,\"parts\":%zu,\"data_bytes\":%llu,"
                    "\"image_bytes\":%llu,\"seconds\":%.3f,\"verified\":%s}\n",
                    json_string(verb).c_str(), json_string(image).c_str(), json_string(outcome.plan.repo).c_str(),
                    outcome.manifest.parts.size(), static_cast<unsigned long long>(outcome.plan.total_used_bytes()),
                    static_cast<unsigned long long>(outcome.image_bytes), outcome.seconds,
                    outcome.manifest.verified ? "true" : "false");
        return;
    }
    std::printf("saved %s: %zu partition(s), %s of data in %s of image files, %.1f s (%s/s)%s\n", image.c_str(),
                outcome.manifest.parts.size(), format_bytes(outcome.plan.total_used_bytes()).c_str(),
                format_bytes(outcome.image_bytes).c_str(), outcome.seconds,
                format_bytes(static_cast<std::uint64_t>(rate)).c_str(), outcome.manifest.verified ? ", verified" : "");
}

}  // namespace kura::cli
