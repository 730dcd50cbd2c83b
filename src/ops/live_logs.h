// The live system's own logs copied into every image it saves: when a save goes wrong on
// a machine in the field, what /init and kura-menu said (DHCP, mounts, the menu's choices)
// travels with the image to whoever looks at it later. The live ISO sets
// KURA_LIVE_LOG_DIR=/var/log/kura, which the fronts read into SaveSettings::live_log_dir;
// elsewhere it is unset and nothing happens.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

class ImageSaveSession;

inline constexpr std::uint64_t kLiveLogMaxBytes = 16u << 20;

struct LiveLog {
    std::string image_name;  // "kura-live-" + the file's name made safe
    std::string content;
};

// Every regular file directly in `dir` (symlinks not followed, subdirectories skipped),
// sorted by name; files over kLiveLogMaxBytes and unreadable ones are skipped with a
// warning in the log. A missing or empty `dir` gives nothing.
std::vector<LiveLog> collect_live_logs(const std::string& dir);

// collect_live_logs(the session's SaveSettings::live_log_dir) written into the image being
// finished; nothing when it is "".
void write_live_logs(ImageSaveSession& session);

}  // namespace kura
