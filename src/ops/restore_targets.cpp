#include "ops/restore_targets.h"

#include "core/error.h"
#include "core/log.h"
#include "core/units.h"
#include "fs/filesystem.h"
#include "ops/target_needs.h"
#include "pipeline/partition_restore.h"

namespace kura {

std::uint64_t target_room_bytes(const ImagePart& part, const std::optional<Manifest>& manifest,
                                std::uint64_t saved_partition_bytes, std::uint64_t room, const std::string& where) {
    const std::uint64_t needed = partition_needed_bytes(part, manifest, saved_partition_bytes);
    if (room < needed)
        throw Error(ExitCode::target_refused,
                    where + " is too small for partition " + part.files.part + ": it has " + format_bytes(room) +
                        " (" + std::to_string(room) + " bytes), the " +
                        (part.files.fs_type == "dd" ? "saved copy" : "filesystem") + " needs " +
                        format_bytes(needed) + " (" + std::to_string(needed) + " bytes)" +
                        // The others can be shrunk before saving (resize2fs, ntfsresize); XFS cannot shrink at all.
                        (part.files.fs_type == "xfs" ? "; XFS cannot shrink, so it needs a partition at least that large"
                                                     : ""));
    return needed;
}

void restore_onto(const Repository& repo, const OpenedImage& image, const ImagePart& part, Device& device,
                  std::optional<std::uint64_t> start_sector_512, Progress& progress, const CancelToken& cancel,
                  RestoreSummary& summary) {
    log::info("restoring " + part.files.part + " onto " + device.path());
    RestoreOutcome o = restore_partition(repo, image.name(), part.files, device, progress, cancel);
    if (const FilesystemReader* fs = filesystem_reader_for(part.files.fs_type))
        fs->after_restore(device, start_sector_512);
    device.sync();
    summary.bytes += o.used_bytes;
    summary.zeroed_bytes += o.zeroed_bytes;
}

}  // namespace kura
