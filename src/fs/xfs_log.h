// Whether an XFS was unmounted cleanly. XFS has no clean flag: the log says it. The head
// of the log is where the cycle number stamped on every 512-byte log block drops; the
// filesystem is clean when the last record before the head is an unmount record (one
// operation flagged XLOG_UNMOUNT_TRANS). Rules from xfsprogs' xlog_find_head and
// xlog_find_tail; checked against `xfs_logprint -t`.
#pragma once

#include "fs/xfs_layout.h"

#include <cstdint>
#include <string>

namespace kura {
class Device;
}

namespace kura::xfs {

struct LogState {
    bool clean = false;
    std::uint64_t head_block = 0;  // 512-byte log block the next record goes to
    std::string why;               // when not clean: what was found, for the message
};

// Reads the internal log (sb.logstart != 0). A log kura cannot make sense of (no record
// header before the head, a record running past it) is reported as not clean: replaying
// it is the kernel's business, and refusing costs only a mount.
LogState read_log_state(const Device& device, const Superblock& sb);

}  // namespace kura::xfs
