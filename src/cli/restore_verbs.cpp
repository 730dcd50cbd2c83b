// `kura restoreparts` and `kura restoredisk`: one restore routine (ops/restore_image.h),
// told whether the words after IMAGE are partitions or disks. Asked twice, as Clonezilla
// asks, unless --yes.
#include "cli/common_options.h"
#include "cli/confirm.h"
#include "cli/terminal_ask.h"
#include "cli/verb.h"
#include "core/units.h"
#include "ops/restore_image.h"
#include "repo/open_repository.h"

#include <cstdio>

namespace kura::cli {
namespace {

int run_restore(const VerbCall& call, RestoreScope scope) {
    const Args& args = call.args;
    JobContext ctx;
    ctx.ask = terminal_ask();  // the SMB password, when nothing else gives it
    ctx.progress_style = progress_option(args);
    RestoreRequest request;
    request.scope = scope;
    const std::string& name = args.positionals().front();
    request.targets.assign(args.positionals().begin() + 1, args.positionals().end());
    request.check_first = args.flag("--check-first");
    request.dry_run = args.flag("--dry-run");
    if (scope == RestoreScope::disks) {
        request.grow = args.flag("--grow");
        request.grow_lv = args.value("--grow-lv").value_or("");
        if (!request.grow_lv.empty() && !request.grow)
            throw Error(ExitCode::usage, "--grow-lv " + request.grow_lv +
                                             " gives an LV the space --grow adds; it needs --grow");
        request.discovery.only = devices_option(args);
    }
    const bool yes = args.flag("--yes");
    const bool disks = scope == RestoreScope::disks;

    auto repo = open_repository(repo_option(args), repository_options(args, ctx.ask));
    // Everything the image says is read and checked here, once, before any target is looked at.
    const OpenedImage image = OpenedImage::open(*repo, name);
    RestoreSummary summary = restore_image(request, *repo, image, ctx, [&](const Plan& plan) {
        std::fprintf(stderr, "%s", plan.describe().c_str());
        if (request.dry_run) return false;
        std::fprintf(stderr, disks ? "WARNING: every partition and all data on the target disk(s) above will be "
                                     "overwritten.\n"
                                   : "WARNING: all data on the target(s) above will be overwritten.\n");
        return yes || confirm_on_terminal(2);
    });
    if (request.dry_run) return 0;

    double rate = summary.seconds > 0 ? static_cast<double>(summary.bytes) / summary.seconds : 0;
    if (args.flag("--json")) {
        std::string parts = disks ? "" : ",\"parts\":" + std::to_string(summary.plan.items.size());
        std::printf("{\"verb\":%s,\"image\":%s%s,\"data_bytes\":%llu,\"zeroed_bytes\":%llu,\"seconds\":%.3f}\n",
                    json_string(call.verb.name).c_str(), json_string(name).c_str(), parts.c_str(),
                    static_cast<unsigned long long>(summary.bytes),
                    static_cast<unsigned long long>(summary.zeroed_bytes), summary.seconds);
    } else {
        std::string parts = disks ? "" : " " + std::to_string(summary.plan.items.size()) + " partition(s),";
        std::printf("restored %s:%s %s of data in %.1f s (%s/s)\n", name.c_str(), parts.c_str(),
                    format_bytes(summary.bytes).c_str(), summary.seconds,
                    format_bytes(static_cast<std::uint64_t>(rate)).c_str());
    }
    return 0;
}

}  // namespace

int run_restoreparts(const VerbCall& call) { return run_restore(call, RestoreScope::partitions); }

int run_restoredisk(const VerbCall& call) { return run_restore(call, RestoreScope::disks); }

}  // namespace kura::cli
