// `kura saveparts` and `kura savedisk`: one save routine (ops/save_image.h), told whether
// the words after IMAGE are partitions or disks.
#include "cli/common_options.h"
#include "cli/save_options.h"
#include "cli/terminal_ask.h"
#include "cli/verb.h"
#include "core/shell_quote.h"
#include "image/image_name.h"
#include "ops/save_image.h"
#include "repo/open_repository.h"

#include <cstdio>

namespace kura::cli {
namespace {

int run_save(const VerbCall& call, SaveScope scope) {
    const Args& args = call.args;
    JobContext ctx;  // from here on, this job's log lines are the image's clonezilla-img
    ctx.ask = terminal_ask();  // the SMB password, when nothing else gives it
    ctx.progress_style = progress_option(args);
    SaveOptions options = read_save_options(args);
    SaveRequest request;
    request.scope = scope;
    request.image = args.positionals().front();
    request.sources.assign(args.positionals().begin() + 1, args.positionals().end());
    if (scope == SaveScope::disks) request.discovery.only = devices_option(args);
    request.dry_run = args.flag("--dry-run");
    request.resume = args.flag("--resume");
    request.verify = options.verify;
    request.repair_first = options.repair_first;
    request.fs = options.fs;
    request.settings = options.settings;
    request.command_line = shell_command_line(call.full_argv);  // as typed

    // A name that can be no image is said before the repository is reached.
    validate_image_name(request.image);
    auto repo = open_repository(repo_option(args), repository_options(args, ctx.ask));
    SaveOutcome outcome = save_image(request, *repo, ctx, [&](const Plan& plan) {
        std::fprintf(stderr, "%s", plan.describe().c_str());
    });
    if (request.dry_run) return 0;
    print_save_outcome(call.verb.name, request.image, outcome, args.flag("--json"));
    return 0;
}

}  // namespace

int run_saveparts(const VerbCall& call) { return run_save(call, SaveScope::partitions); }

int run_savedisk(const VerbCall& call) { return run_save(call, SaveScope::disks); }

}  // namespace kura::cli
