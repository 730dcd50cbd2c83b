// A filesystem whose own metadata contradicts itself: a group descriptor pointing past the
// end, a cluster bitmap that frees the metadata files' own clusters, a FAT root chain
// outside the volume. Its used set cannot be trusted, so an image made from it may not be
// restorable at all; every reader cross-checks its used set and throws this instead of
// saving. The save path either refuses the source (exit 5, this message) or, with
// --fs-force, copies it whole as a dd stream, which is restorable whatever the metadata says.
#pragma once

#include "core/error.h"

#include <string>

namespace kura {

class InconsistentFilesystem : public Error {
public:
    // `fs` names the filesystem ("ext4", "NTFS"); `check` names the check that failed, short
    // enough for a plan line; `detail` says what was found; `repair` is the command (or the
    // steps) that repairs it, e.g. "`e2fsck -f /dev/sda1`".
    InconsistentFilesystem(const std::string& path, const std::string& fs, const std::string& check,
                           const std::string& detail, const std::string& repair)
        : Error(ExitCode::source_unsupported,
                path + ": " + fs + " metadata inconsistent (" + check + "): " + detail + ". Repair it with " +
                    repair + " and save again, or pass --fs-force to copy it whole (dd)"),
          fs_(fs),
          check_(check),
          detail_(detail) {}

    const std::string& fs() const { return fs_; }
    const std::string& check() const { return check_; }
    const std::string& detail() const { return detail_; }

private:
    std::string fs_;
    std::string check_;
    std::string detail_;
};

}  // namespace kura
