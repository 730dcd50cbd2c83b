// `kura list-disks`: the disks an operator may choose from, with what identifies them
// across boots and why kura would refuse to write one; under them the LVM volume groups
// their PVs hold, read from the PVs without activating anything, and the md arrays their
// members make, read from the superblocks without assembling anything.
#include "cli/common_options.h"
#include "cli/verb.h"
#include "ops/md_listing.h"
#include "ops/volume_listing.h"
#include "core/error.h"
#include "device/disk_inventory.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

namespace kura::cli {

int run_list_disks(const VerbCall& call) {
    const Args& args = call.args;
    DiscoveryOptions options;
    options.only = devices_option(args);
    // For tests only: a fake sysfs tree has no device nodes behind it, so nothing is probed.
    const bool fake_tree = [&] {
        const char* root = std::getenv("KURA_SYSFS_ROOT");
        return root && *root;
    }();
    if (fake_tree) {
        options.sysfs_root = std::getenv("KURA_SYSFS_ROOT");
        options.probe_filesystems = false;
    }
    std::vector<DiskInfo> disks = discover_disks(options);
    // A damaged PV or md superblock must not hide the disks: they are listed, then the
    // first error ends the verb.
    std::vector<ListedVolumeGroup> vgs;
    std::vector<ListedMdArray> arrays;
    std::optional<Error> failure;
    if (!fake_tree) {
        try {
            vgs = list_volume_groups(disks);
        } catch (const Error& e) {
            failure = e;
        }
        try {
            arrays = list_md_arrays(disks);
        } catch (const Error& e) {
            if (!failure) failure = e;
        }
    }
    if (args.flag("--json")) {
        std::string json = disks_json(disks);
        // disks_json ends with "]}\n": the volume groups and md arrays join the same document.
        json.erase(json.size() - 2);
        json += ",\"volume_groups\":" + volume_groups_json(vgs) + ",\"md_arrays\":" + md_arrays_json(arrays) + "}\n";
        std::fputs(json.c_str(), stdout);
    } else {
        std::fputs(with_md_arrays(with_volume_groups(disks_table_text(disks), vgs), arrays).c_str(), stdout);
    }
    std::fflush(stdout);
    if (failure) throw *failure;
    return 0;
}

}  // namespace kura::cli
