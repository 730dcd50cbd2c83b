// Options shared by several verbs and their meaning, in one place.
#pragma once

#include "cli/args.h"
#include "core/json.h"
#include "core/progress.h"
#include "repo/repository_options.h"

#include <string>
#include <vector>

namespace kura::cli {

inline constexpr const char* kDefaultRepo = "/home/partimag";  // Clonezilla's

std::vector<OptionSpec> common_option_specs();
std::string repo_option(const Args& args);
// What opening --repo needs: --smb-credentials (else KURA_SMB_CREDENTIALS), the password
// KURA_SMB_PASSWORD gave (take_smb_password_at_start), and a prompt on the terminal.
RepositoryOptions repository_options(const Args& args, AskFunction ask);
// main() calls it before any thread and any child tool: KURA_SMB_PASSWORD leaves the
// environment (repo/smb_credentials.h) and is kept for repository_options().
void take_smb_password_at_start();
ProgressStyle progress_option(const Args& args);
// --devices A,B: the disks discovery may consider (empty: all).
std::vector<std::string> devices_option(const Args& args);

}  // namespace kura::cli
