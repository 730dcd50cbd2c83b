#include "cli/save_options.h"
#include "cli/verb.h"

#include <cstdint>

namespace kura::cli {
namespace {

// Options more than one verb takes (the common ones are cli/common_options.h's).
const OptionSpec kResume{{"--resume"}, false};
const OptionSpec kDevices{{"--devices"}, true};
const OptionSpec kYes{{"--yes", "-y"}, false};
const OptionSpec kCheckFirst{{"--check-first"}, false};
const OptionSpec kGrow{{"--grow"}, false};
const OptionSpec kGrowLv{{"--grow-lv"}, true};

std::vector<OptionSpec> with_save_options(std::vector<OptionSpec> more) {
    std::vector<OptionSpec> specs = save_option_specs();
    specs.insert(specs.end(), more.begin(), more.end());
    return specs;
}

}  // namespace

const std::vector<Verb>& verb_table() {
    static const std::vector<Verb> verbs{
        {"saveparts",
         "  kura saveparts [--repo REPO] [-z zstd|gzip|none] [--level N] [--split SIZE]\n"
         "                 [--threads N] [--no-verify] [--fsck] [--fs-force] [--resume] IMAGE PART...\n"
         "                 (--resume: continue an interrupted save of IMAGE; same PARTs, -z, --split)\n"
         "                 (--fsck: check and repair each filesystem first: e2fsck -f -y,\n"
         "                  fsck.fat -a -w, ntfsfix -d, xfs_repair;\n"
         "                  not mounted ones, not in a --dry-run)\n",
         "kura saveparts [options] IMAGE PART...", with_save_options({kResume}), 2, SIZE_MAX, run_saveparts},
        {"restoreparts", "  kura restoreparts [--repo REPO] [--yes] [--check-first] IMAGE TARGET...\n",
         "kura restoreparts [options] IMAGE TARGET...", {kYes, kCheckFirst}, 2, SIZE_MAX, run_restoreparts},
        {"savedisk",
         "  kura savedisk [--repo REPO] [-z ...] [--split SIZE] [--no-verify] [--fsck] [--resume]\n"
         "                IMAGE DISK...\n",
         "kura savedisk [options] IMAGE DISK...", with_save_options({kDevices, kResume}), 2, SIZE_MAX, run_savedisk},
        {"restoredisk",
         "  kura restoredisk [--repo REPO] [--yes] [--check-first] [--grow [--grow-lv VG/LV]] IMAGE DISK...\n"
         "                (--grow-lv: the LV that takes the space --grow gives its volume group)\n",
         "kura restoredisk [options] IMAGE DISK...", {kYes, kCheckFirst, kGrow, kGrowLv, kDevices}, 2, SIZE_MAX,
         run_restoredisk},
        {"checkimage", "  kura checkimage [--repo REPO] IMAGE\n", "kura checkimage [--repo DIR] IMAGE", {}, 1, 1,
         run_checkimage},
        {"list-images", "  kura list-images [--repo REPO] [--json]\n", "kura list-images [--repo URL] [--json]", {},
         0, 0, run_list_images},
        {"list-disks", "  kura list-disks [--json] [--devices DEV,...]\n",
         "kura list-disks [--json] [--devices DEV,...]", {kDevices}, 0, 0, run_list_disks},
    };
    return verbs;
}

const Verb* find_verb(const std::string& name) {
    for (const auto& verb : verb_table())
        if (verb.name == name) return &verb;
    return nullptr;
}

}  // namespace kura::cli
