// `kura checkimage`: every byte of an image read and every checksum verified, nothing written.
#include "cli/common_options.h"
#include "cli/terminal_ask.h"
#include "cli/verb.h"
#include "core/units.h"
#include "ops/check_image.h"
#include "repo/open_repository.h"

#include <cstdio>

namespace kura::cli {

int run_checkimage(const VerbCall& call) {
    const Args& args = call.args;
    JobContext ctx;
    ctx.ask = terminal_ask();  // the SMB password, when nothing else gives it
    ctx.progress_style = progress_option(args);
    const std::string& image = args.positionals().front();
    auto repo = open_repository(repo_option(args), repository_options(args, ctx.ask));
    // Opening checks everything a restore checks before it writes (partition tables too).
    CheckSummary summary = check_image(*repo, OpenedImage::open(*repo, image), ctx);
    if (args.flag("--json")) {
        std::printf("{\"verb\":\"checkimage\",\"image\":%s,\"parts\":%zu,\"data_bytes\":%llu,\"seconds\":%.3f,"
                    "\"parts_without_checksums\":%zu,\"restorable\":true}\n",
                    json_string(image).c_str(), summary.plan.items.size(),
                    static_cast<unsigned long long>(summary.bytes), summary.seconds, summary.parts_without_checksums);
    } else if (summary.parts_without_checksums == 0) {
        std::printf("%s is restorable: %zu partition(s), %s of data, every checksum matches (%.1f s)\n",
                    image.c_str(), summary.plan.items.size(), format_bytes(summary.bytes).c_str(), summary.seconds);
    } else {
        std::printf("%s is restorable: %zu partition(s), %s of data read to the end; %zu of them carry no "
                    "checksums (ntfsclone), every other checksum matches (%.1f s)\n",
                    image.c_str(), summary.plan.items.size(), format_bytes(summary.bytes).c_str(),
                    summary.parts_without_checksums, summary.seconds);
    }
    return 0;
}

}  // namespace kura::cli
