// One image name, one writer. Two saves of one name into one repository must not run at
// once: the second would remove or rename the first one's partial directory. flock() does
// not reach through libnfs or libsmbclient, so the lock is a marker file created
// exclusively (Repository::create_file: O_EXCL locally, a GUARDED CREATE on NFS, the
// FILE_CREATE disposition on SMB) in the repository's root: `.kura-lock-IMAGE`. It records
// who holds it, so that a second save can name the holder, and so that a marker left by a
// save that died (kill -9, a crash) can be recognised and taken over:
//
//     kura-image-lock
//     host=backup01
//     boot=5f0d...            the kernel's boot id: the same boot of the same machine
//     pid=4242
//     process_start=123456    /proc/PID/stat field 22, so a reused pid is not mistaken
//     since=2026-12-07T12:00:00Z
//     token=9c1e...           random, this run's: whose marker it is when it is removed
//
// A holder on this boot of this machine whose process is gone is stale and is taken over
// (with a warning). A holder anywhere else cannot be checked: the save is refused and the
// message says how to clear the marker if that save is gone. docs/repositories.md, "One
// writer per image name".
#pragma once

#include "storage/repository.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace kura {

// The marker's name in the repository root. It starts with '.', and it is a file, so
// list-images (which lists directories) does not show it.
std::string image_lock_name(const std::string& image);

// Who holds (or held) a lock: a marker's contents.
struct LockHolder {
    std::string host;
    std::string boot;
    std::int64_t pid = 0;
    std::uint64_t process_start = 0;  // 0: not recorded
    std::string since;
    std::string token;

    std::string to_text() const;
    // "host backup01, pid 4242, since 2026-12-07T12:00:00Z"
    std::string describe() const;
};

// nullopt for a marker that names no holder (empty: being written right now, or its
// writer died at that instant; or not a kura lock marker at all).
std::optional<LockHolder> parse_lock_marker(const std::string& text);

// This process, as a marker records it (with a new random token).
LockHolder this_process_holder();

// True when `holder` is certainly not running any more: it ran on this boot of this
// machine and its pid is gone, or now belongs to a process started at another time.
// False for a live holder and for one on another machine (or boot), which cannot be checked.
bool holder_is_gone(const LockHolder& holder, const LockHolder& self);

class ImageWriteLock {
public:
    // Takes the lock of `image` in `repo`, taking over a stale one; otherwise throws
    // Error(target_refused) naming the save that holds it and how to clear it.
    static std::unique_ptr<ImageWriteLock> acquire(Repository& repo, const std::string& image);
    ~ImageWriteLock();
    ImageWriteLock(const ImageWriteLock&) = delete;
    ImageWriteLock& operator=(const ImageWriteLock&) = delete;

    // This run's random token (also written into the partial directory it creates).
    const std::string& token() const { return self_.token; }
    // Throws Error(target_refused) unless the marker is still this run's: someone removed
    // it, or another save took it over, while this one ran.
    void check_still_held() const;
    // Removes the marker if it is still this run's; never throws. The destructor calls it.
    void release() noexcept;

private:
    ImageWriteLock(Repository& repo, std::string image, LockHolder self);
    std::optional<LockHolder> read_marker() const;
    std::string where() const;

    Repository& repo_;
    std::string image_;
    std::string path_;
    LockHolder self_;
    bool held_ = false;
};

}  // namespace kura
