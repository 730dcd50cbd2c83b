// The guard rails of principle 1 ("never lose data"): a restore target must not be
// mounted, active swap, held by another driver, attached as a loop device's backing file,
// or on the disk the running system lives on; a save source must not be mounted writable.
#pragma once

#include "device/mount_table.h"
#include "device/sysfs.h"

#include <optional>
#include <string>
#include <vector>

namespace kura {

struct SystemView {
    MountTable mounts = MountTable::load();
    Sysfs sysfs{};
    std::string swaps_path = "/proc/swaps";
};

// Throws Error(target_refused) naming the reason.
void refuse_unsafe_target(const std::string& path, const SystemView& system = SystemView{});

// Every reason the block device `rdev` (known as `path`) must not be written, in the order
// refuse_unsafe_target names the first one ("it is mounted at /", "its partition sda1 is
// in use by dm-3 (...)", "it is on vda, the disk the running system lives on"); empty when
// it may be written. Works from the device number alone, so disk discovery can ask about
// disks it found in sysfs. The partitions kpartx mapped on a multipath disk count as its
// partitions, not as users of it.
std::vector<std::string> unsafe_block_target_reasons(const std::string& path, dev_t rdev,
                                                     const SystemView& system = SystemView{});
// The same for a disk image file: attached to a loop device.
std::vector<std::string> unsafe_file_target_reasons(const std::string& path,
                                                    const SystemView& system = SystemView{});

// True when `path` (or the block device `rdev`) is listed in /proc/swaps.
bool is_active_swap(const std::string& path, dev_t rdev, const SystemView& system = SystemView{});

// Throws Error(source_unsupported) when the source's filesystem is mounted read-write:
// an image taken under a live writer is inconsistent.
void refuse_busy_source(const std::string& path, const SystemView& system = SystemView{});

// Where the filesystem on `path` is mounted, read-only mounts included ("/mnt/x", or
// "/mnt/x (through /dev/loop3)" for a disk image file); empty when it is not. A repair
// tool must not write under any mount: even a read-only one keeps a cached view that the
// repair would make stale.
std::vector<std::string> source_mount_points(const std::string& path, const SystemView& system = SystemView{});

// The kernel name of the running system's disk that `dev` lives on ("vda"), if any: such a
// partition is never mounted or written by kura on its own initiative.
std::optional<std::string> system_disk_holding(dev_t dev, const SystemView& system = SystemView{});

}  // namespace kura
