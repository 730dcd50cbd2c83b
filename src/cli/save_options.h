// What saveparts and savedisk share on the command line: compression, split size,
// verification, repairing or forcing unclean filesystems, and the closing summary.
#pragma once

#include "cli/args.h"
#include "fs/filesystem.h"
#include "ops/save_request.h"
#include "pipeline/partition_save.h"

#include <string>
#include <vector>

namespace kura::cli {

std::vector<OptionSpec> save_option_specs();

struct SaveOptions {
    SaveSettings settings;
    bool verify = true;
    bool repair_first = false;  // --fsck
    FsReadOptions fs;
};

SaveOptions read_save_options(const Args& args);

// "saved IMAGE: ..." for people, or one JSON object with --json.
void print_save_outcome(const std::string& verb, const std::string& image, const SaveOutcome& outcome, bool json);

}  // namespace kura::cli
