// Saves one partition: used-block map -> reader thread -> Partclone framing and CRC ->
// compressor (multi-threaded zstd) -> writer thread -> split files in the repository.
#pragma once

#include "codec/codec.h"
#include "core/cancel.h"
#include "core/progress.h"
#include "device/probe.h"
#include "fs/filesystem.h"
#include "image/manifest.h"
#include "image/partclone_header.h"
#include "pipeline/save_checkpoint.h"
#include "storage/repository.h"

#include <cstdint>
#include <string>

namespace kura {

// A partition ready to be saved: probed, its used blocks known.
struct PartitionSource {
    std::string path;  // as the operator named it
    std::string name;  // its name in the image: sda1, or a file's basename
    ProbeResult probe;
    std::uint64_t device_bytes = 0;
    UsedBlockMap map;
    // Copied whole as a dd stream (`<name>.dd-ptcl-img.*`), as Clonezilla does for a
    // partition no Partclone tool reads: `map` is empty then.
    bool raw = false;
    // Why a partition with a filesystem kura reads is copied whole all the same (its
    // metadata failed a consistency check and --fs-force was given), for the plan and the
    // log; empty otherwise. raw_detail: what the check found, for the log.
    std::string raw_reason;
    std::string raw_detail;
};

struct SaveSettings {
    const Codec* codec = nullptr;
    CompressOptions compress;
    std::uint64_t split_bytes = 0;  // 0 = one file
    // About this many compressed bytes between checkpoints (save_checkpoint.h); 0 = none.
    // The fronts set it from KURA_CHECKPOINT_BYTES.
    std::uint64_t checkpoint_bytes = kDefaultCheckpointBytes;
    // A directory whose files are copied into the image as kura-live-NAME (ops/live_logs.h);
    // "" = none. The fronts set it from KURA_LIVE_LOG_DIR (the live ISO's /var/log/kura).
    std::string live_log_dir;
};

// Reads the partition's filesystem; throws Error(source_unsupported) when kura can't image it.
// A filesystem whose metadata fails its reader's consistency checks is refused too
// (InconsistentFilesystem), unless options.force: then it is copied whole (raw, raw_reason).
PartitionSource inspect_partition(const std::string& path, const std::string& name, const FsReadOptions& options);

// A partition saved byte for byte: no filesystem kura reads was found on it (or it is one
// kura copies whole, such as an LVM physical volume). `probe` keeps what libblkid said.
PartitionSource inspect_raw_partition(const std::string& path, const std::string& name);

// `cancel` (the job's) is polled between buffers.
ManifestPart save_partition(const PartitionSource& source, Repository& repo, const std::string& image_dir,
                            const SaveSettings& settings, Progress& progress,
                            const CancelToken& cancel = signal_cancel_token());
// The same with checkpoints, and optionally continuing from one an earlier run recorded
// (pipeline/save_checkpoint.h). The caller must have made sure the source is unchanged since.
ManifestPart save_partition(const PartitionSource& source, Repository& repo, const std::string& image_dir,
                            const SaveSettings& settings, Progress& progress, const Checkpointing& checkpoints,
                            const CancelToken& cancel = signal_cancel_token());

// The Partclone header kura writes for a partition (also what a resumed save compares).
PartcloneHeader partclone_header_for(const UsedBlockMap& map);
// The data file name without split suffix: sda1.ext4-ptcl-img.zst, sda2.dd-ptcl-img.gz.
std::string stream_base_name(const PartitionSource& source, const Codec& codec);

}  // namespace kura
