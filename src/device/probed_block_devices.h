// Every block device of the running system with what libblkid finds on it, probed afresh:
// never the blkid cache (/run/blkid/blkid.tab), whose entries go stale when a device is
// reformatted or a loop device is reused, so that `dev:LABEL=x` finds a partition by what
// it holds now.
#pragma once

#include "device/probe.h"

#include <string>
#include <vector>

#include <sys/types.h>

namespace kura {

struct ProbedBlockDevice {
    std::string name;  // "sdb1"
    std::string path;  // "/dev/sdb1"
    dev_t rdev = 0;
    bool usb = false;  // its disk hangs off a USB bus (what a field engineer plugs in)
    ProbeResult probe;
};

// In /sys/class/block order, without RAM disks and without devices libblkid cannot open.
std::vector<ProbedBlockDevice> probe_block_devices();

}  // namespace kura
