// The steps of kura-menu's journey and the choices its option screens cycle through:
// shared by the flow's screens (flow_screens.cpp) and its answers (flow.cpp).
#pragma once

#include "tui/job.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kura::tui::flow_steps {

enum class Step {
    language, japanese_unavailable, keyboard, keyboard_other,
    repo_kind, local_partition, local_directory,
    nic, address_mode, static_address, static_gateway, static_dns,
    nfs_server, nfs_export, nfs_version,
    smb_server, smb_share, smb_user, smb_password, smb_version,
    repo_found, mode,
    save_name, save_disks, save_parts, save_options, save_plan, save_confirm,
    choose_image, restore_target, restore_options, restore_plan, restore_confirm, restore_confirm_again,
    running, result, shell, reboot, power_off, power_off_confirm,
};

inline const std::map<Step, const char*> kStepNames = {
    {Step::language, "language"}, {Step::japanese_unavailable, "japanese_unavailable"},
    {Step::keyboard, "keyboard"}, {Step::keyboard_other, "keyboard_other"},
    {Step::repo_kind, "repo_kind"}, {Step::local_partition, "local_partition"},
    {Step::local_directory, "local_directory"}, {Step::nic, "nic"}, {Step::address_mode, "address_mode"},
    {Step::static_address, "static_address"}, {Step::static_gateway, "static_gateway"},
    {Step::static_dns, "static_dns"}, {Step::nfs_server, "nfs_server"}, {Step::nfs_export, "nfs_export"},
    {Step::nfs_version, "nfs_version"}, {Step::smb_server, "smb_server"}, {Step::smb_share, "smb_share"},
    {Step::smb_user, "smb_user"}, {Step::smb_password, "smb_password"}, {Step::smb_version, "smb_version"},
    {Step::repo_found, "repo_found"}, {Step::mode, "mode"}, {Step::save_name, "save_name"},
    {Step::save_disks, "save_disks"}, {Step::save_parts, "save_parts"}, {Step::save_options, "save_options"},
    {Step::save_plan, "save_plan"}, {Step::save_confirm, "save_confirm"}, {Step::choose_image, "choose_image"},
    {Step::restore_target, "restore_target"}, {Step::restore_options, "restore_options"},
    {Step::restore_plan, "restore_plan"}, {Step::restore_confirm, "restore_confirm"},
    {Step::restore_confirm_again, "restore_confirm_again"}, {Step::running, "running"},
    {Step::result, "result"}, {Step::shell, "shell"}, {Step::reboot, "reboot"}, {Step::power_off, "power_off"},
    {Step::power_off_confirm, "power_off_confirm"},
};

// The repository kinds in the order repo_kind offers them.
inline constexpr const char* kRepoKinds[] = {"local_dev", "samba_server", "nfs_server", "mounted_dir"};

// Layouts offered besides us and jp106: the ones Debian's console-data ships that servers
// in the field are most often set up with.
inline const std::vector<std::pair<const char*, const char*>> kOtherKeymaps = {
    {"uk", "keymap.uk"}, {"de", "keymap.de"},       {"fr", "keymap.fr"},
    {"es", "keymap.es"}, {"it", "keymap.it"},       {"pt", "keymap.pt"},
    {"br-abnt2", "keymap.br"}, {"se", "keymap.se"}, {"no", "keymap.no"},
    {"dk", "keymap.dk"}, {"fi", "keymap.fi"},       {"ch-de", "keymap.ch"},
    {"be", "keymap.be"}, {"pl", "keymap.pl"},       {"ru", "keymap.ru"},
    {"kr", "keymap.kr"}, {"tw", "keymap.tw"},       {"dvorak", "keymap.dvorak"},
};

// The compression choices the save options cycle through: codec, level, catalog key.
struct CompressionChoice {
    const char* codec;
    int level;
    const char* key;
};
inline constexpr CompressionChoice kCompressionChoices[] = {
    {"zstd", 3, "option.zstd_3"},  {"zstd", 1, "option.zstd_1"}, {"zstd", 9, "option.zstd_9"},
    {"zstd", 19, "option.zstd_19"}, {"gzip", 6, "option.gzip"},  {"none", 0, "option.none"},
};
inline constexpr std::uint64_t kSplitChoicesMb[] = {4096, 2000, 1000, 0};
inline constexpr WhenDone kWhenDoneChoices[] = {WhenDone::show_result, WhenDone::reboot, WhenDone::power_off};

// The filesystems kura can mount itself for a `dev:` repository.
inline bool repository_fs(const std::string& fs) {
    return fs == "ext2" || fs == "ext3" || fs == "ext4" || fs == "vfat" || fs == "exfat" || fs == "ntfs";
}

// The mode menu's items, in order.
inline constexpr const char* kModes[] = {"savedisk", "saveparts", "restoredisk", "restoreparts", "checkimage",
                                         "shell", "reboot", "poweroff", "language"};

// What the check before a restore is estimated to read per second: the image's files are
// read and decompressed once (docs/user-guide.md states this rate beside the estimate).
inline constexpr std::uint64_t kCheckBytesPerSecond = 100'000'000;

// The widest line of the equivalent command on the result screen: it fits the menu's box
// on an 80-column terminal, so the front never has to wrap it.
inline constexpr std::size_t kCommandWidth = 70;

inline bool is_save(JobMode mode) { return mode == JobMode::savedisk || mode == JobMode::saveparts; }

inline std::string when_done_key(WhenDone when) {
    switch (when) {
    case WhenDone::reboot: return "option.when_reboot";
    case WhenDone::power_off: return "option.when_power_off";
    default: return "option.when_result";
    }
}

}  // namespace kura::tui::flow_steps
