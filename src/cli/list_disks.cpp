// `kura list-disks`: the disks an operator may choose from, with what identifies them
// across boots and why kura would refuse to write one.
#include "cli/common_options.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/log.h"
#include "device/disk_inventory.h"

#include <cstdio>
#include <cstdlib>

namespace kura::cli {
namespace {

std::vector<std::string> comma_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        if (comma > start) out.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

}  // namespace

int run_list_disks(const std::vector<std::string>& argv) {
    std::vector<OptionSpec> specs = common_option_specs();
    specs.push_back({{"--devices"}, true});
    Args args("list-disks", argv, specs);
    log::set_verbose(args.flag("--verbose"));
    if (!args.positionals().empty())
        throw Error(ExitCode::usage, "list-disks: usage: kura list-disks [--json] [--devices DEV,...]");

    DiscoveryOptions options;
    if (auto devices = args.value("--devices")) {
        options.only = comma_list(*devices);
        if (options.only.empty()) throw Error(ExitCode::usage, "list-disks: --devices needs at least one device");
    }
    // For tests only: a fake sysfs tree has no device nodes behind it, so nothing is probed.
    if (const char* root = std::getenv("KURA_SYSFS_ROOT"); root && *root) {
        options.sysfs_root = root;
        options.probe_filesystems = false;
    }
    std::vector<DiskInfo> disks = discover_disks(options);
    std::fputs(args.flag("--json") ? disks_json(disks).c_str() : disks_table_text(disks).c_str(), stdout);
    return 0;
}

}  // namespace kura::cli
