#include "cli/common_options.h"
#include "cli/save_options.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/log.h"
#include "core/shell_quote.h"
#include "ops/save_disk.h"

#include <cstdio>

namespace kura::cli {

int run_savedisk(const std::vector<std::string>& argv, const std::vector<std::string>& full_argv) {
    auto specs = common_option_specs();
    for (const auto& spec : save_option_specs()) specs.push_back(spec);
    specs.push_back({{"--devices"}, true});
    specs.push_back({{"--resume"}, false});
    Args args("savedisk", argv, specs);
    log::set_verbose(args.flag("--verbose"));
    if (args.positionals().size() < 2)
        throw Error(ExitCode::usage, "savedisk: usage: kura savedisk [options] IMAGE DISK...");

    SaveOptions options = read_save_options(args);
    SaveDiskRequest request;
    request.repo = repo_option(args);
    request.repository = repository_options(args);
    request.image = args.positionals().front();
    request.disks.assign(args.positionals().begin() + 1, args.positionals().end());
    request.progress = progress_option(args);
    request.dry_run = args.flag("--dry-run");
    request.verify = options.verify;
    request.repair_first = options.repair_first;
    request.fs = options.fs;
    request.settings = options.settings;
    request.command_line = shell_command_line(full_argv);  // as typed
    request.discovery.only = devices_option(args);
    request.resume = args.flag("--resume");

    SaveOutcome outcome = save_disk(request, [&](const Plan& plan) {
        std::fprintf(stderr, "%s", plan.describe().c_str());
    });
    if (request.dry_run) return 0;
    print_save_outcome("savedisk", request.image, outcome, args.flag("--json"));
    return 0;
}

}  // namespace kura::cli
