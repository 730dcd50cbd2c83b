#include "ops/live_logs.h"

#include "core/error.h"
#include "core/log.h"
#include "ops/image_save_session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace kura {
namespace {

// Image file names stay plain: no spaces or shell characters for the scripts that copy
// images around, nothing that could be read as a path.
std::string safe_name(const std::string& name) {
    std::string safe = name;
    for (char& c : safe) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                     c == '_' || c == '-';
        if (!plain) c = '_';
    }
    return safe;
}

// Reads `path` unless it is not a regular file (O_NOFOLLOW: a symlink is refused by the
// kernel) or too large. Up to the size it had when opened: kura-menu's own log is being
// appended to while the save runs.
bool read_log_file(const std::string& path, std::string& content) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        log::warn(errno_text("live log " + path + " not copied into the image: cannot open it", errno));
        return false;
    }
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (ok && static_cast<std::uint64_t>(st.st_size) > kLiveLogMaxBytes) {
        log::warn("live log " + path + " not copied into the image: " + std::to_string(st.st_size) +
                  " bytes, more than the " + std::to_string(kLiveLogMaxBytes >> 20) + " MiB kept");
        ok = false;
    }
    if (ok) {
        content.resize(static_cast<std::size_t>(st.st_size));
        std::size_t done = 0;
        while (done < content.size()) {
            ssize_t n = ::read(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                log::warn(errno_text("live log " + path + " not copied into the image: read failed", errno));
                ok = false;
                break;
            }
            if (n == 0) break;  // truncated meanwhile
            done += static_cast<std::size_t>(n);
        }
        content.resize(done);
    }
    ::close(fd);
    return ok;
}

}  // namespace

std::vector<LiveLog> collect_live_logs(const std::string& dir) {
    std::vector<LiveLog> logs;
    if (dir.empty()) return logs;
    std::error_code ec;
    std::vector<std::string> names;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        // symlink_status: a link is neither copied nor followed (it could point anywhere,
        // a disk device included).
        if (it->symlink_status(type_ec).type() == std::filesystem::file_type::regular)
            names.push_back(it->path().filename().string());
    }
    if (ec) {
        if (ec != std::errc::no_such_file_or_directory)
            log::warn("live logs in " + dir + " not copied into the image: " + ec.message());
        return logs;
    }
    std::sort(names.begin(), names.end());
    std::set<std::string> taken;
    for (const auto& name : names) {
        LiveLog entry;
        entry.image_name = "kura-live-" + safe_name(name);
        // Two names made the same by safe_name(): the first (by name) is kept.
        if (!taken.insert(entry.image_name).second) {
            log::warn("live log " + dir + "/" + name + " not copied into the image: " + entry.image_name +
                      " is taken by another file");
            continue;
        }
        if (read_log_file(dir + "/" + name, entry.content)) logs.push_back(std::move(entry));
    }
    return logs;
}

void write_live_logs(ImageSaveSession& session) {
    const std::string& dir = session.settings().live_log_dir;
    if (dir.empty()) return;
    for (const auto& entry : collect_live_logs(dir)) session.write_file(entry.image_name, entry.content);
}

}  // namespace kura
