// What a resumed save checks before it appends to an interrupted one: that the partition is
// still the one whose first part is already in the image. Size and libblkid's type and UUID
// catch another device under the same name; the Partclone header and a SHA-256 of the
// used-block bitmap catch files written, deleted or moved; a SHA-256 of the first MiB
// catches what leaves the bitmap alone but passes through it - ext's superblock records
// every read-write mount (mount count, times), a FAT's first sectors hold its tables.
#pragma once

#include "pipeline/partition_save.h"

#include <string>

namespace kura {

struct SourceFingerprint {
    std::uint64_t device_bytes = 0;
    std::string fs_type;        // as libblkid names it; empty when it found nothing
    std::string fs_uuid;
    bool raw = false;           // a dd stream: no header, no bitmap
    std::string header_hex;     // the Partclone header kura writes for it (110 bytes)
    std::string bitmap_sha256;  // of the used-block bitmap's bytes
    std::string head_sha256;    // of the first MiB of the device (all of it when smaller)

    bool operator==(const SourceFingerprint&) const = default;
};

// Reads the first MiB of the source; the bitmap is the one `source` holds.
SourceFingerprint fingerprint_source(const PartitionSource& source);

// What differs between `then` (recorded) and `now`, in words for the operator
// ("its used blocks changed (files were written, deleted or moved)"); empty when equal.
std::string describe_change(const SourceFingerprint& then, const SourceFingerprint& now);

}  // namespace kura
