// savedisk's layer around the common save: for each disk, the partition table and boot
// area in the files ocs-sr reads (-pt.sf, -mbr, -gpt-1st, hidden data after the table...),
// the swap partitions' records, and the disk's identity for kura's manifest.
#pragma once

#include "image/manifest.h"
#include "ops/disk_source.h"
#include "ops/image_save_session.h"

#include <vector>

namespace kura {

// The table, boot area and swap files of every disk, through the session (so a resumed
// save replaces what an interrupted one wrote).
void write_disk_layouts(ImageSaveSession& session, const std::vector<SourceDisk>& disks);

// The disk as kura's manifest records it (model, serial, WWID, table kind, sizes).
ManifestDisk manifest_disk(const SourceDisk& disk);

}  // namespace kura
