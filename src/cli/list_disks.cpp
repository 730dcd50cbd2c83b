// `kura list-disks`: the disks an operator may choose from, with what identifies them
// across boots and why kura would refuse to write one.
#include "cli/common_options.h"
#include "cli/verb.h"
#include "device/disk_inventory.h"

#include <cstdio>
#include <cstdlib>

namespace kura::cli {

int run_list_disks(const VerbCall& call) {
    const Args& args = call.args;
    DiscoveryOptions options;
    options.only = devices_option(args);
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
