#include "cli/common_options.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/log.h"
#include "core/units.h"
#include "ops/check_image.h"

#include <cstdio>

namespace kura::cli {

int run_checkimage(const std::vector<std::string>& argv) {
    Args args("checkimage", argv, common_option_specs());
    log::set_verbose(args.flag("--verbose"));
    if (args.positionals().size() != 1)
        throw Error(ExitCode::usage, "checkimage: usage: kura checkimage [--repo DIR] IMAGE");
    const std::string& image = args.positionals().front();
    CheckSummary summary = check_image(repo_option(args), image, progress_option(args), {}, repository_options(args));
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
