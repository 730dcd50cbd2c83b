// Where a restore writes, planned before anything is written and written after the
// confirmation: partitions named one by one (restoreparts, ops/restore_parts.cpp) or whole
// disks whose table is written first (restoredisk, ops/restore_disk.cpp). Both check a
// target's room with the same rule (target_room_bytes) and write each partition's data
// the same way (restore_onto).
#pragma once

#include "core/cancel.h"
#include "core/progress.h"
#include "device/device.h"
#include "device/safety.h"
#include "ops/opened_image.h"
#include "ops/plan.h"
#include "ops/restore_request.h"
#include "storage/repository.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace kura {

class RestoreTargets {
public:
    virtual ~RestoreTargets() = default;
    // After the confirmation, before the image is read: takes the targets that stay open
    // for writing (exclusive opens keep anyone from mounting them from here on).
    virtual void claim() {}
    // Writes the image: partition tables and boot areas first where there are any, then
    // every partition's data through restore_onto().
    virtual void write(const Repository& repo, const OpenedImage& image, Progress& progress,
                       const CancelToken& cancel, RestoreSummary& summary) = 0;
};

// Checks every target (safety, size, the same target twice) against `image` and adds its
// rows and warnings to `plan`; opens nothing for writing.
std::unique_ptr<RestoreTargets> plan_partition_targets(const RestoreRequest& request, const OpenedImage& image,
                                                       const SystemView& system, Plan& plan);
std::unique_ptr<RestoreTargets> plan_disk_targets(const RestoreRequest& request, const OpenedImage& image,
                                                  const SystemView& system, Plan& plan);

// The bytes `part` needs (ops/target_needs.h, partition_needed_bytes with
// `saved_partition_bytes`), after refusing with Error(target_refused) a place of `room`
// bytes (`where`: a path, or a partition's place on a disk) that is smaller.
std::uint64_t target_room_bytes(const ImagePart& part, const std::optional<Manifest>& manifest,
                                std::uint64_t saved_partition_bytes, std::uint64_t room, const std::string& where);

// Writes one partition's stream onto `device`, lets its filesystem fix what depends on
// where it now lies (`start_sector_512`, nullopt for a whole disk or a file), flushes it,
// and counts its bytes into `summary`. `cancel` (the job's) is polled between buffers.
void restore_onto(const Repository& repo, const OpenedImage& image, const ImagePart& part, Device& device,
                  std::optional<std::uint64_t> start_sector_512, Progress& progress, const CancelToken& cancel,
                  RestoreSummary& summary);

// mkswap with the saved swap's UUID and label (either may be empty), so /etc/fstab and
// resume= lines that name them still match.
void recreate_swap(const std::string& path, const ProbeResult& swap);

}  // namespace kura
