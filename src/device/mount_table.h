// What is mounted, from /proc/self/mountinfo: kura must never write to a mounted device,
// nor image a filesystem that is mounted read-write under it.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace kura {

struct MountEntry {
    dev_t device = 0;          // st_dev of the mounted filesystem (major:minor)
    std::string mount_point;
    std::string source;        // e.g. /dev/sda1, or a name for pseudo filesystems
    std::string fs_type;
    bool read_only = false;
};

class MountTable {
public:
    // Parses a mountinfo file; the path is a parameter so tests can feed a fixture.
    static MountTable load(const std::string& mountinfo_path = "/proc/self/mountinfo");
    static MountTable parse(const std::string& text);

    // Mounts whose filesystem lives on block device `dev` (major:minor).
    std::vector<MountEntry> on_device(dev_t dev) const;
    // The mount holding `path` (the longest matching mount point).
    const MountEntry* containing(const std::string& path) const;

    const std::vector<MountEntry>& entries() const { return entries_; }

private:
    std::vector<MountEntry> entries_;
};

}  // namespace kura
