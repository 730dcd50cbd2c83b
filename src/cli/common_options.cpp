#include "cli/common_options.h"

#include "core/error.h"
#include "repo/smb_credentials.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace kura::cli {
namespace {

std::string& environment_smb_password() {
    static std::string password;
    return password;
}

}  // namespace

void take_smb_password_at_start() {
    environment_smb_password() = take_smb_password_from_environment(std::getenv("KURA_SMB_PASSWORD"));
}

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

std::string repo_option(const Args& args) { return args.value("--repo").value_or(kDefaultRepo); }

RepositoryOptions repository_options(const Args& args, AskFunction ask) {
    RepositoryOptions options;
    options.smb_credentials_file = args.value("--smb-credentials").value_or("");
    if (options.smb_credentials_file.empty())
        if (const char* file = std::getenv("KURA_SMB_CREDENTIALS")) options.smb_credentials_file = file;
    options.smb_password = environment_smb_password();
    options.ask = std::move(ask);
    return options;
}

ProgressStyle progress_option(const Args& args) {
    std::string v = args.value("--progress").value_or("text");
    if (v == "text") return ProgressStyle::text;
    if (v == "json") return ProgressStyle::json;
    if (v == "none") return ProgressStyle::none;
    throw Error(ExitCode::usage, "--progress: '" + v + "' is not one of text, json, none");
}

std::vector<std::string> devices_option(const Args& args) {
    std::vector<std::string> devices;
    if (auto list = args.value("--devices")) {
        std::stringstream in(*list);
        std::string item;
        while (std::getline(in, item, ','))
            if (!item.empty()) devices.push_back(item);
        if (devices.empty()) throw Error(ExitCode::usage, "--devices: name at least one device");
    }
    return devices;
}

}  // namespace kura::cli
