#include "ops/image_write_lock.h"

#include "core/error.h"
#include "core/log.h"
#include "core/timestamp.h"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

namespace kura {
namespace {

constexpr const char* kMagic = "kura-image-lock";
// How long an empty marker is given to get its contents: its creator writes them right
// after the exclusive create, a network round trip later.
constexpr int kEmptyMarkerWaits = 30;
constexpr auto kEmptyMarkerWait = std::chrono::milliseconds(100);
// Each round either takes the lock, is refused, or removed a stale marker that another
// save may then take first.
constexpr int kRounds = 5;

std::string first_line_of(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string random_token() {
    unsigned char bytes[16];
    std::size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno(ExitCode::internal, "getrandom", errno);
        }
        got += static_cast<std::size_t>(n);
    }
    static const char* hex = "0123456789abcdef";
    std::string token;
    for (unsigned char b : bytes) {
        token += hex[b >> 4];
        token += hex[b & 15];
    }
    return token;
}

// Field 22 of /proc/PID/stat: when the process started, in clock ticks after boot. The
// command name (field 2) may hold spaces and parentheses, so fields count from its last ')'.
std::optional<std::uint64_t> process_start_time(std::int64_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) return std::nullopt;
    auto close = stat.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(stat.substr(close + 1));
    std::string field;
    for (int i = 3; i <= 22; ++i)
        if (!(fields >> field)) return std::nullopt;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
    return value;
}

// Is `pid` the process that started at `start` (0: any process with that pid)?
bool process_running(std::int64_t pid, std::uint64_t start) {
    if (pid <= 0) return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
    if (start == 0) return true;
    auto now = process_start_time(pid);
    if (!now) return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;  // gone meanwhile?
    return *now == start;
}

template <typename Number>
bool parse_number(const std::string& text, Number& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// The marker's text, or nullopt when there is none (also when it vanishes while read).
std::optional<std::string> read_if_there(const Repository& repo, const std::string& path) {
    if (!repo.exists(path)) return std::nullopt;
    try {
        return read_text_file(repo, path, 4096);
    } catch (const Error& e) {
        if (e.code() == ExitCode::image_not_found) return std::nullopt;
        throw;
    }
}

}  // namespace

std::string image_lock_name(const std::string& image) { return ".kura-lock-" + image; }

std::string LockHolder::to_text() const {
    return std::string(kMagic) + "\nhost=" + host + "\nboot=" + boot + "\npid=" + std::to_string(pid) +
           "\nprocess_start=" + std::to_string(process_start) + "\nsince=" + since + "\ntoken=" + token + "\n";
}

std::string LockHolder::describe() const {
    return "host " + (host.empty() ? std::string("?") : host) + ", pid " + std::to_string(pid) + ", since " +
           (since.empty() ? std::string("?") : since);
}

std::optional<LockHolder> parse_lock_marker(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    if (!std::getline(in, line) || line != kMagic) return std::nullopt;
    LockHolder h;
    bool have_pid = false;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "host") h.host = value;
        else if (key == "boot") h.boot = value;
        else if (key == "pid") have_pid = parse_number(value, h.pid) && h.pid > 0;
        else if (key == "process_start" && !parse_number(value, h.process_start)) h.process_start = 0;
        else if (key == "since") h.since = value;
        else if (key == "token") h.token = value;
    }
    // Without a pid and a token nobody could be asked, and the marker was not written whole.
    if (!have_pid || h.token.empty()) return std::nullopt;
    return h;
}

LockHolder this_process_holder() {
    LockHolder h;
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0) h.host = name;
    // The boot id, not the host name, tells whether a pid can be checked here: every
    // machine booted from the kura ISO has the same host name.
    h.boot = first_line_of("/proc/sys/kernel/random/boot_id");
    h.pid = ::getpid();
    h.process_start = process_start_time(h.pid).value_or(0);
    h.since = utc_timestamp();
    h.token = random_token();
    return h;
}

bool holder_is_gone(const LockHolder& holder, const LockHolder& self) {
    if (holder.boot.empty() || holder.boot != self.boot) return false;
    return !process_running(holder.pid, holder.process_start);
}

ImageWriteLock::ImageWriteLock(Repository& repo, std::string image, LockHolder self)
    : repo_(repo), image_(std::move(image)), path_(image_lock_name(image_)), self_(std::move(self)) {}

ImageWriteLock::~ImageWriteLock() { release(); }

std::string ImageWriteLock::where() const { return repo_.describe() + "/" + path_; }

std::optional<LockHolder> ImageWriteLock::read_marker() const {
    std::optional<std::string> text = read_if_there(repo_, path_);
    return text ? parse_lock_marker(*text) : std::nullopt;
}

std::unique_ptr<ImageWriteLock> ImageWriteLock::acquire(Repository& repo, const std::string& image) {
    std::unique_ptr<ImageWriteLock> lock(new ImageWriteLock(repo, image, this_process_holder()));
    const std::string& path = lock->path_;
    const LockHolder& self = lock->self_;
    for (int round = 0; round < kRounds; ++round) {
        std::unique_ptr<WritableFile> marker;
        try {
            marker = repo.create_file(path);
        } catch (const AlreadyExists&) {
        }
        if (marker) {
            try {
                std::string text = self.to_text();
                marker->write(text.data(), text.size());
                marker->close();
            } catch (...) {
                marker.reset();
                try {
                    repo.remove_tree(path);
                } catch (const std::exception&) {
                }
                throw;
            }
            // Read back: a save that took this marker over at the same moment as this one
            // may have removed it and written its own.
            auto back = lock->read_marker();
            if (back && back->token == self.token) {
                lock->held_ = true;
                return lock;
            }
            if (back)
                throw Error(ExitCode::target_refused, "image " + image + " is being saved by another run of kura (" +
                                                          back->describe() + "), which took its lock " +
                                                          lock->where() + " at the same moment");
            continue;
        }

        // Taken: by whom? An empty marker is being written right now, so it gets a moment.
        std::optional<std::string> text;
        std::optional<LockHolder> holder;
        for (int wait = 0; wait <= kEmptyMarkerWaits; ++wait) {
            if (wait) std::this_thread::sleep_for(kEmptyMarkerWait);
            text = read_if_there(repo, path);
            if (!text) break;
            holder = parse_lock_marker(*text);
            if (holder) break;
        }
        if (!text) continue;  // released meanwhile: try again
        if (!holder)
            throw Error(ExitCode::target_refused,
                        "image " + image + " is locked by " + lock->where() +
                            ", which names no holder (a kura taking it this instant, or one killed while taking "
                            "it); if no save of " + image + " is running, delete that file and save again");
        if (!holder_is_gone(*holder, self)) {
            if (!holder->boot.empty() && holder->boot == self.boot)
                throw Error(ExitCode::target_refused, "image " + image + " is being saved by another kura on this "
                                                      "machine (" + holder->describe() + "); wait for it to finish "
                                                      "(its lock: " + lock->where() + ")");
            throw Error(ExitCode::target_refused,
                        "image " + image + " is being saved by kura on another machine (" + holder->describe() +
                            "; lock " + lock->where() + "); wait for it to finish. If that save is no longer "
                            "running (its machine was switched off or restarted), delete " + lock->where() +
                            " and save again");
        }
        log::warn("taking over the lock of image " + image + " from a save that is no longer running (" +
                  holder->describe() + ")");
        // Removed only if it is still the marker found stale: another save may have taken
        // it over and written its own meanwhile.
        if (read_if_there(repo, path) == text) repo.remove_tree(path);
    }
    throw Error(ExitCode::target_refused, "image " + image + ": could not take its lock " + lock->where() + " in " +
                                              std::to_string(kRounds) + " attempts; other saves of it keep taking it");
}

void ImageWriteLock::check_still_held() const {
    std::optional<LockHolder> now = read_marker();
    if (now && now->token == self_.token) return;
    throw Error(ExitCode::target_refused,
                "the lock of image " + image_ + " (" + where() + ") is no longer this save's (" +
                    (now ? "another save took it over: " + now->describe() : std::string("it was removed")) +
                    "); the image is not renamed into place");
}

void ImageWriteLock::release() noexcept {
    if (!held_) return;
    held_ = false;
    try {
        std::optional<LockHolder> now = read_marker();
        if (now && now->token == self_.token) {
            repo_.remove_tree(path_);
            return;
        }
        log::warn("the lock " + where() + " is no longer this save's; leaving it as it is");
    } catch (const std::exception& e) {
        log::warn("could not remove the lock " + where() + ": " + e.what() + "; delete it by hand");
    }
}

}  // namespace kura
