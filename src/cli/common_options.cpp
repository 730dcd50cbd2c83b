#include "cli/common_options.h"

#include "core/error.h"
#include "repo/smb_credentials.h"

#include <cstdio>

namespace kura::cli {

std::vector<OptionSpec> common_option_specs() {
    return {
        {{"--repo", "-r"}, true},
        {{"--smb-credentials"}, true},
        {{"--progress"}, true},
        {{"--json"}, false},
        {{"--dry-run"}, false},
        {{"--verbose", "-v"}, false},
    };
}

std::string repo_option(const Args& args) {
    // The credentials file belongs to the repository, so it is handed over with it.
    set_smb_credentials_file(args.value("--smb-credentials").value_or(""));
    return args.value("--repo").value_or(kDefaultRepo);
}

ProgressStyle progress_option(const Args& args) {
    std::string v = args.value("--progress").value_or("text");
    if (v == "text") return ProgressStyle::text;
    if (v == "json") return ProgressStyle::json;
    if (v == "none") return ProgressStyle::none;
    throw Error(ExitCode::usage, "--progress: '" + v + "' is not one of text, json, none");
}

}  // namespace kura::cli
