#include "cli/common_options.h"
#include "cli/confirm.h"
#include "cli/save_options.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/log.h"
#include "core/units.h"
#include "ops/restore_disk.h"

#include <cstdio>

namespace kura::cli {

int run_restoredisk(const std::vector<std::string>& argv) {
    auto specs = common_option_specs();
    specs.push_back({{"--yes", "-y"}, false});
    specs.push_back({{"--check-first"}, false});
    specs.push_back({{"--grow"}, false});
    specs.push_back({{"--devices"}, true});
    Args args("restoredisk", argv, specs);
    log::set_verbose(args.flag("--verbose"));
    if (args.positionals().size() < 2)
        throw Error(ExitCode::usage, "restoredisk: usage: kura restoredisk [options] IMAGE DISK...");

    RestoreDiskRequest request;
    request.repo = repo_option(args);
    request.repository = repository_options(args);
    request.image = args.positionals().front();
    request.targets.assign(args.positionals().begin() + 1, args.positionals().end());
    request.progress = progress_option(args);
    request.check_first = args.flag("--check-first");
    request.dry_run = args.flag("--dry-run");
    request.grow = args.flag("--grow");
    request.discovery.only = devices_option(args);
    bool yes = args.flag("--yes");

    RestoreSummary summary = restore_disk(request, [&](const Plan& plan) {
        std::fprintf(stderr, "%s", plan.describe().c_str());
        if (request.dry_run) return false;
        std::fprintf(stderr, "WARNING: every partition and all data on the target disk(s) above will be "
                             "overwritten.\n");
        return yes || confirm_on_terminal(2);
    });
    if (request.dry_run) return 0;

    double rate = summary.seconds > 0 ? static_cast<double>(summary.bytes) / summary.seconds : 0;
    if (args.flag("--json")) {
        std::printf("{\"verb\":\"restoredisk\",\"image\":%s,\"data_bytes\":%llu,\"zeroed_bytes\":%llu,"
                    "\"seconds\":%.3f}\n",
                    json_string(request.image).c_str(), static_cast<unsigned long long>(summary.bytes),
                    static_cast<unsigned long long>(summary.zeroed_bytes), summary.seconds);
    } else {
        std::printf("restored %s: %s of data in %.1f s (%s/s)\n", request.image.c_str(),
                    format_bytes(summary.bytes).c_str(), summary.seconds,
                    format_bytes(static_cast<std::uint64_t>(rate)).c_str());
    }
    return 0;
}

}  // namespace kura::cli
