// The steps of kura-menu's journey and the choices its option screens cycle through:
// shared by the step handlers (flow_*_steps.cpp); what each step does is its row in the
// step table (flow_step.h).
#pragma once

#include "fs/filesystem.h"
#include "tui/job.h"

#include <cstddef>
#include <cstdint>
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

// The last step above, plus one: the step table (flow_step_table.cpp) has a row for each.
inline constexpr std::size_t kStepCount = static_cast<std::size_t>(Step::power_off_confirm) + 1;

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

// The filesystems kura can mount itself for a `dev:` repository: the filesystem table says
// (FilesystemReader::repository_mount, src/fs/).
inline bool repository_fs(const std::string& fs) { return repository_mount_for(fs).has_value(); }

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
