// The files Clonezilla's save_logv writes for LVM, and that its restore_logv and ocs-chkimg
// read, so a kura LVM image restores with Clonezilla and a Clonezilla LVM image with kura
// (docs/image-format.md, "LVM"):
//   lvm_vg_dev.list    one line per PV in the save: "VG /dev/PART PV-UUID"
//   lvm_logv.list      one line per LV: "/dev/VG/LV  <what file -Ls says of it>"
//   lvm_<VG>.conf      the VG's metadata as vgcfgbackup writes it
//   swappt-VG-LV.info  a swap LV's UUID and label (as for a swap partition)
// and each LV's data file is named after "VG-LV" (`to_ocs_dev_img_name`), which is
// ambiguous when names hold hyphens: it is always computed from the lists, never parsed.
// Everything here is read from an image, so every parser is strict and bounded.
#pragma once

#include "volume/lvm_metadata.h"

#include <string>
#include <vector>

namespace kura {

class Repository;

struct LvmPvLine {
    std::string vg;         // VolGroup00
    std::string partition;  // sda2 (written as /dev/sda2)
    std::string pv_uuid;    // hyphenated
};

struct LvmLvLine {
    std::string vg;
    std::string lv;
    std::string description;  // what `file -Ls` says (Clonezilla spots swap by "swap" in it)

    bool is_swap() const;  // the description says swap, as restore_logv decides
};

// The name of an LV in the image, without suffix: "VolGroup00-LogVol00".
std::string lvm_image_name(const std::string& vg, const std::string& lv);

std::string lvm_vg_dev_list_text(const std::vector<LvmPvLine>& pvs);
std::string lvm_logv_list_text(const std::vector<LvmLvLine>& lvs);
// "lvm_VolGroup00.conf"
std::string lvm_conf_file_name(const std::string& vg);

// Throw Error(image_corrupt) naming the file, the line and what is wrong.
std::vector<LvmPvLine> parse_lvm_vg_dev_list(const std::string& text);
std::vector<LvmLvLine> parse_lvm_logv_list(const std::string& text);

// What an image says about LVM, read and checked as a whole: each VG named in
// lvm_vg_dev.list has its lvm_<VG>.conf, parsed; every PV line's UUID is a PV of its VG;
// every LV line names an LV of its VG. Empty when the image has no lvm_vg_dev.list.
struct ImageVolumeGroups {
    std::vector<LvmPvLine> pvs;
    std::vector<LvmLvLine> lvs;
    std::vector<LvmVolumeGroup> vgs;

    bool empty() const { return pvs.empty(); }
    const LvmVolumeGroup* vg_named(const std::string& name) const;
    bool is_pv_partition(const std::string& partition) const;
};
ImageVolumeGroups read_image_volume_groups(const Repository& repo, const std::string& image_dir);

}  // namespace kura
