// lvm2's own tools, run the way a restore needs them: limited to the target devices (so a
// source disk still attached, whose PVs carry the same UUIDs, is never touched or chosen),
// never activating anything, and leaving no archive or backup files behind in /etc/lvm.
#pragma once

#include <string>
#include <vector>

namespace kura {

struct LvmToolScope {
    std::vector<std::string> devices;  // every lvm command sees only these (--devices)
};

// `pvcreate --uuid UUID --restorefile CONF DEV` with the target's signatures wiped first.
void lvm_recreate_pv(const LvmToolScope& scope, const std::string& device, const std::string& pv_uuid,
                     const std::string& restore_file);
// `vgcfgrestore --force -f CONF VG`.
void lvm_restore_metadata(const LvmToolScope& scope, const std::string& vg_name, const std::string& restore_file);
// `pvresize DEV`: the PV fills its (grown) partition.
void lvm_resize_pv(const LvmToolScope& scope, const std::string& device);
// `lvextend -l +100%FREE VG/LV` (no filesystem resize: kura grows it itself).
void lvm_extend_lv_to_free(const LvmToolScope& scope, const std::string& vg_name, const std::string& lv_name);

}  // namespace kura
