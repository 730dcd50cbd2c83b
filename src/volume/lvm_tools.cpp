// lvm2's tools for a restore, each run confined to the target devices (--devices) with a
// configuration that activates nothing (kura maps LVs itself), asks udev for nothing (the
// live system has no udev) and writes no archive or backup file into /etc/lvm.
#include "volume/lvm_tools.h"

#include "core/error.h"
#include "core/run_tool.h"

namespace kura {
namespace {

const char* const lvm_config =
    "global{activation=0} devices{obtain_device_list_from_udev=0} backup{backup=0 archive=0}";

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

// Runs `lvm COMMAND ARGS...`; `subject` names the device or VG in the error.
void run_lvm(const LvmToolScope& scope, const std::string& command, std::vector<std::string> args,
             const std::string& subject) {
    if (scope.devices.empty())
        throw Error(ExitCode::internal, "lvm " + command + " for " + subject + " was given no devices to work on");
    std::vector<std::string> argv = {"lvm", command, "--config", lvm_config, "--devices", joined(scope.devices)};
    argv.insert(argv.end(), args.begin(), args.end());
    const ToolResult r = run_tool(argv, ExitCode::target_refused);
    if (r.exit_status != 0)
        throw Error(ExitCode::target_refused, command + " on " + subject + " failed (exit " +
                                                  std::to_string(r.exit_status) + "): " + r.output);
}

}  // namespace

void lvm_recreate_pv(const LvmToolScope& scope, const std::string& device, const std::string& pv_uuid,
                     const std::string& restore_file) {
    // -ff --yes: the target may carry an old PV or other signatures, which a restore replaces;
    // --zero y clears the label sectors first.
    run_lvm(scope, "pvcreate",
            {"-ff", "--yes", "--zero", "y", "--uuid", pv_uuid, "--restorefile", restore_file, device}, device);
}

void lvm_restore_metadata(const LvmToolScope& scope, const std::string& vg_name, const std::string& restore_file) {
    // --force: vgcfgrestore refuses VGs holding thin pools without it.
    run_lvm(scope, "vgcfgrestore", {"--force", "-f", restore_file, vg_name}, "volume group " + vg_name);
}

void lvm_resize_pv(const LvmToolScope& scope, const std::string& device) {
    run_lvm(scope, "pvresize", {device}, device);
}

void lvm_extend_lv_to_free(const LvmToolScope& scope, const std::string& vg_name, const std::string& lv_name) {
    run_lvm(scope, "lvextend", {"-l", "+100%FREE", vg_name + "/" + lv_name}, vg_name + "/" + lv_name);
}

}  // namespace kura
