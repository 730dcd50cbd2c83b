#include "cli/common_options.h"
#include "cli/save_options.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/log.h"
#include "core/shell_quote.h"
#include "ops/save_parts.h"

#include <cstdio>

namespace kura::cli {

int run_saveparts(const std::vector<std::string>& argv, const std::vector<std::string>& full_argv) {
    auto specs = common_option_specs();
    for (const auto& spec : save_option_specs()) specs.push_back(spec);
    specs.push_back({{"--resume"}, false});
    Args args("saveparts", argv, specs);
    log::set_verbose(args.flag("--verbose"));
    if (args.positionals().size() < 2)
        throw Error(ExitCode::usage, "saveparts: usage: kura saveparts [options] IMAGE PART...");

    SaveOptions options = read_save_options(args);
    SavePartsRequest request;
    request.repo = repo_option(args);
    request.repository = repository_options(args);
    request.image = args.positionals().front();
    request.sources.assign(args.positionals().begin() + 1, args.positionals().end());
    request.progress = progress_option(args);
    request.dry_run = args.flag("--dry-run");
    request.resume = args.flag("--resume");
    request.verify = options.verify;
    request.repair_first = options.repair_first;
    request.fs = options.fs;
    request.settings = options.settings;
    request.command_line = shell_command_line(full_argv);  // as typed

    SaveOutcome outcome = save_parts(request, [&](const Plan& plan) {
        std::fprintf(stderr, "%s", plan.describe().c_str());
    });
    if (request.dry_run) return 0;
    print_save_outcome("saveparts", request.image, outcome, args.flag("--json"));
    return 0;
}

}  // namespace kura::cli
