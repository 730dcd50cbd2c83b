// restoredisk and md RAID: an image that holds an md array's filesystem (a RAID1 saved as
// mdN, ops/md_sources.h) gets its array recreated on the target partitions after the
// partition tables are written - `mdadm --create /dev/mdN --run --assume-clean` with the
// saved UUID, name (split into --homehost and --name), metadata, level, members in slot
// order, chunk, layout and data offset (mdN-config.env) - and the filesystem restored into
// /dev/mdN. --assume-clean: the members are fresh and every block the filesystem uses is
// written through the array, so no resync runs while kura writes. RAID0/5/6/10 images need
// none of this: their members come back whole, superblocks included.
//
// Recreating an array needs the kernel's md driver: the live system has it, this host's
// kernel does not. Without it such an image is refused before anything is written.
#pragma once

#include "ops/opened_image.h"
#include "ops/plan.h"
#include "ops/restore_targets.h"

#include <memory>
#include <string>
#include <vector>

namespace kura {

struct MdTargetDisk {
    std::string saved_name;   // sda: the disk in the image
    std::string target_path;  // /dev/sdb: where it is restored
    bool file = false;        // an image file, not a disk
};

class MdRestore {
public:
    // nullptr when the image holds no md array's filesystem. Adds a plan row per array.
    // Throws Error(target_refused) before anything is written when the arrays cannot be
    // recreated here: no md driver, no mdadm, a target that is an image file, /dev/mdN
    // already in use.
    static std::unique_ptr<MdRestore> plan(const OpenedImage& image, const std::vector<MdTargetDisk>& targets,
                                           Plan& plan);

    // After every disk's table is written: each array created and its filesystem restored,
    // then the array stopped (its superblocks clean), as after a reboot.
    void write(const Repository& repo, const OpenedImage& image, Progress& progress, const CancelToken& cancel,
               RestoreSummary& summary);

private:
    std::vector<MdTargetDisk> targets_;
    std::vector<std::string> arrays_;  // md0 ...: the image's parts that are arrays
};

// The image's parts that are md arrays (their mdN-config.env in the image, on no disk).
std::vector<std::string> md_array_parts(const OpenedImage& image);

}  // namespace kura
