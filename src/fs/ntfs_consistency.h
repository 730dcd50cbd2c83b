// Cross-checks of an NTFS volume's cluster bitmap ($Bitmap) against its own system files,
// run before the used set is trusted (fs/ntfs.cpp). A zeroed or scrambled $Bitmap calls
// the clusters of $MFT, $LogFile or $Bitmap itself free: an image of only the "used"
// clusters would restore into a volume without them. partclone.ntfs and ntfsclone refuse
// such a volume too. Each failure throws InconsistentFilesystem with the repair to run.
#pragma once

#include "core/bitmap.h"

#include <cstdint>
#include <string>

struct _ntfs_volume;  // libntfs-3g's ntfs_volume; its headers stay in the .cpp files

namespace kura {

// Before $Bitmap is read: it holds a bit for every cluster of the volume, no fewer, and
// not more than NTFS's rounding (8 bytes) allows plus one cluster of slack.
void check_ntfs_bitmap_size(const std::string& path, _ntfs_volume* vol);

// After: every cluster of the system files (MFT records 0-11: $MFT, $MFTMirr, $LogFile,
// $Volume, $AttrDef, the root directory, $Bitmap, $Boot, $BadClus, $Secure, $UpCase,
// $Extend), every attribute, lies inside the volume and is set in `used` (`unit` bytes
// per bit).
void check_ntfs_system_files_used(const std::string& path, _ntfs_volume* vol, std::uint32_t unit,
                                  const Bitmap& used);

}  // namespace kura
