// One image being saved, from the hidden partial directory to the final rename: the
// partitions saved so far, the resume journal that lets an interrupted save be continued,
// verification, the manifest. `saveparts` and `savedisk` both use it:
//
//     auto session = resume ? ImageSaveSession::resume(repo, image, settings)
//                           : ImageSaveSession::start(repo, image, settings);
//     session->check_sources(sources);                    // nothing written yet
//     progress.add_already_done(session->bytes_already_saved());
//     try {
//         for (auto& s : sources) session->save(s, progress, cancel);   // in check_sources' order
//         session->finish(verify, style, sink, [&](const Manifest&) {
//             session->write_file(...);                      // every metadata file, `parts` last
//         });
//     } catch (const Error& e) { session->abandon(e.code()); throw; }
//
// savedisk passes every partition it images (dd ones included) to check_sources() and
// save(), adds its ManifestDisk records with add_disk(), and writes its table files with
// write_file(), which replaces what an interrupted run's finishing step left.
// A save that stops after its first checkpoint keeps its partial directory when that is
// worth it (docs/cli.md, "--resume"); an incomplete image is never listed as restorable.
#pragma once

#include "core/cancel.h"
#include "core/error.h"
#include "core/progress.h"
#include "image/manifest.h"
#include "ops/image_write_lock.h"
#include "ops/save_journal.h"
#include "pipeline/partition_save.h"
#include "storage/repository.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kura {

// The hidden name an image has while it is being written (and while an interrupted save
// of it waits to be resumed).
std::string partial_image_name(const std::string& image);

// The file in a partial directory that names the run writing it (its lock token), so the
// final rename moves the directory this run created or resumed and nothing else.
inline constexpr const char* kRunTokenFile = ".kura-run";

class ImageSaveSession {
public:
    // Both first take the image name's lock (image_write_lock.h), which the session holds
    // until it is destroyed: a save of the same name that runs is refused with
    // Error(target_refused) naming it.
    //
    // A new save of `image`: refuses an existing image, removes a partial directory an
    // earlier save of the same name left (saying so), creates a new one.
    static std::unique_ptr<ImageSaveSession> start(Repository& repo, const std::string& image,
                                                   const SaveSettings& settings);
    // Continues the save of `image` an earlier run left. Reads and checks its journal and
    // writes nothing yet. Throws Error(usage) "no interrupted save of IMAGE in REPO to
    // resume" when there is nothing to continue, Error(image_corrupt) for a damaged journal,
    // Error(usage) when `settings` differ from the interrupted save's in what shapes the files.
    static std::unique_ptr<ImageSaveSession> resume(Repository& repo, const std::string& image,
                                                    const SaveSettings& settings);

    bool resumed() const { return resumed_; }
    const std::string& directory() const { return dir_; }
    const std::string& image() const { return image_; }

    // Before any data: the sources of the whole image, in order. A resumed session requires
    // the interrupted save's partitions in the same order, each finished one still of its
    // size and type, and the one in progress unchanged (source_fingerprint.h); otherwise it
    // throws Error(source_unsupported) saying what changed, and leaves everything as it is.
    void check_sources(const std::vector<PartitionSource>& sources);
    // Used bytes of the sources that earlier runs already saved (0 for a new save; known
    // after check_sources()).
    std::uint64_t bytes_already_saved() const { return resumed_ ? bytes_saved_ : 0; }
    // A one-line description of where a resumed save continues, for the plan.
    std::string resume_summary() const;

    // Saves one partition of check_sources()' list, in order: skipped when an earlier run
    // finished it, continued from the last checkpoint when it was in progress, else saved
    // whole. Checkpoints are recorded in the journal as they happen. `cancel` (the job's)
    // is polled between buffers.
    const ManifestPart& save(const PartitionSource& source, Progress& progress,
                             const CancelToken& cancel = signal_cancel_token());

    // A small file in the image directory (metadata, partition tables), written durably.
    // Write every such file through this: a resumed session replaces what the interrupted
    // run may have written already.
    void write_file(const std::string& name, const std::string& text);
    void write_file(const std::string& name, const std::vector<std::uint8_t>& bytes);

    // savedisk: the disks the image is of, for the manifest (finish() writes it).
    void add_disk(const ManifestDisk& disk) { manifest_.disks.push_back(disk); }

    // After the last partition: verifies every stream (when `verify`), writes
    // kura-manifest (its `seconds`: this run's, verification included), calls
    // `write_metadata` for the image's other files (through write_file(); Clonezilla's
    // `parts` last), renames the directory to the image's name and removes the journal.
    // The verification's progress goes to `style` and the job's `sink`.
    const Manifest& finish(bool verify, ProgressStyle style, const ProgressSink& sink,
                           const std::function<void(const Manifest&)>& write_metadata,
                           const CancelToken& cancel = signal_cancel_token());

    // After a failure (`why` is its exit code): keeps the partial directory when it can be
    // continued - a resumed save always, a new one when a checkpoint was recorded and the
    // failure was the repository or an interruption - and says how; removes it otherwise.
    // Never throws.
    void abandon(ExitCode why) noexcept;

    const Manifest& manifest() const { return manifest_; }

    const SaveSettings& settings() const { return settings_; }

    // The checkpoint interval (settings' checkpoint_bytes unless changed).
    void set_checkpoint_interval(std::uint64_t bytes) { interval_ = bytes; }

private:
    ImageSaveSession(Repository& repo, std::string image, SaveSettings settings);
    void record();  // writes the journal
    // Writes this run's token into the directory: from now on it is this run's to rename.
    void claim_directory();
    // Whether the directory still carries this run's token.
    bool directory_is_ours() const;
    // Removes data files `base`[.aa ...] that an interrupted run began without a checkpoint.
    void remove_stale_pieces(const std::string& base);
    // Recomputes bytes_saved_: the finished partitions, plus `source` up to `at`.
    void note_saved(const PartitionSource* source, const PartitionCheckpoint* at);

    Repository& repo_;
    std::unique_ptr<ImageWriteLock> lock_;
    std::string image_;
    std::string dir_;
    SaveSettings settings_;
    std::uint64_t interval_;
    bool resumed_ = false;
    bool journal_written_ = false;
    bool finished_ = false;
    bool claimed_ = false;
    std::uint64_t bytes_saved_ = 0;  // source data that is durable in the image
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    SaveJournal journal_;
    Manifest manifest_;
};

// The common run of a save: every source through `session` with one progress line (which
// starts at what earlier runs saved), then finish() - or abandon() on any failure. Every
// snapshot (saving and verifying) also goes to the job's `sink`; `cancel` stops it.
const Manifest& save_all(ImageSaveSession& session, const std::vector<PartitionSource>& sources,
                         std::uint64_t total_bytes, bool verify, ProgressStyle style, const ProgressSink& sink,
                         const std::function<void(const Manifest&)>& write_metadata,
                         const CancelToken& cancel = signal_cancel_token());

}  // namespace kura
