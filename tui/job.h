// One job as the operator chose it in the menu - the same facts the `kura` command line
// takes - and its translation into the engine's requests and into the equivalent command
// line (shown on the result screen and saved beside a saved image for unattended reuse).
#pragma once

#include "ops/check_image.h"
#include "ops/restore_request.h"
#include "ops/save_request.h"

#include <string>
#include <vector>

namespace kura::tui {

enum class JobMode { savedisk, restoredisk, saveparts, restoreparts, checkimage };
const char* job_mode_name(JobMode mode);

enum class WhenDone { show_result, reboot, power_off };

struct Job {
    JobMode mode = JobMode::savedisk;
    std::string repo;                  // --repo (never with a password in it)
    std::string image;
    std::vector<std::string> devices;  // save: sources; restore: targets in image order (identities or paths)
    // save options
    std::string codec = "zstd";        // zstd, gzip, none
    int level = 3;                     // ignored for none
    std::uint64_t split_mb = 4096;     // MB of 10^6 bytes, as the CLI's --split counts; 0: one file per partition
    bool verify = true;
    bool fsck_first = false;           // check and repair source filesystems before saving
    // restore options
    bool check_first = true;           // Clonezilla checks before restoring by default, so does the menu
    bool grow = false;
    WhenDone when_done = WhenDone::show_result;
    // Discovery confinement (--devices of kura-menu), passed on to the engine.
    std::vector<std::string> only_devices;
};

// The `kura ...` command that does the same job unattended: identities rather than sdX
// names, --yes for restores, no password (SMB takes KURA_SMB_PASSWORD or a credentials file).
std::string equivalent_command(const Job& job);
std::vector<std::string> equivalent_argv(const Job& job);  // its words, unquoted
// The same command cut into lines of at most `width` columns where it can be: between
// words only (an option stays with its value), every line but the last ending in " \\" so
// the lines paste into a shell as they are. A single word longer than `width` is its own line.
std::vector<std::string> equivalent_command_lines(const Job& job, std::size_t width);

// The repository is not part of a request: the menu holds it open (EngineServices).
SaveRequest save_disk_request(const Job& job);
SaveRequest save_parts_request(const Job& job);
RestoreRequest restore_disk_request(const Job& job);
RestoreRequest restore_parts_request(const Job& job);

}  // namespace kura::tui
