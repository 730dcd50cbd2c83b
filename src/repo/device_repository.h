// A repository on a partition kura mounts itself: `--repo dev:sdb1`, `dev:/dev/sdb1`,
// `dev:LABEL=backups` or `dev:UUID=...` (what field engineers carry on USB disks).
// The partition is mounted under a private directory with the filesystem the running
// kernel offers (ntfs-3g through FUSE when the kernel has no ntfs3), used as a local
// directory, and unmounted when the repository is destroyed - also when the operation
// fails or is interrupted, since cancellation unwinds the stack. A partition that is
// already mounted is used where it is, and left mounted.
#pragma once

#include "repo/local_repository.h"

#include <memory>
#include <string>

namespace kura {

// Holds the mount; a base of DeviceRepository so it is set up before, and torn down
// after, the LocalRepository that works inside it.
class PartitionMount {
public:
    explicit PartitionMount(const std::string& spec);  // spec without "dev:"
    ~PartitionMount();
    PartitionMount(const PartitionMount&) = delete;
    PartitionMount& operator=(const PartitionMount&) = delete;

    const std::string& device() const { return device_; }
    const std::string& mount_point() const { return mount_point_; }

private:
    std::string device_;
    std::string mount_point_;
    bool mounted_by_us_ = false;
};

class DeviceRepository : private PartitionMount, public LocalRepository {
public:
    explicit DeviceRepository(const std::string& spec);
    std::string describe() const override;

private:
    std::string spec_;
};

// True for "dev:..." repository locations.
bool is_device_repository(const std::string& location);

}  // namespace kura
