#include "ops/image_save_session.h"

#include "core/log.h"
#include "core/timestamp.h"
#include "core/units.h"
#include "image/image_layout.h"
#include "image/split_files.h"
#include "pipeline/partition_restore.h"

namespace kura {
namespace {

// The name a partition's stream has in the manifest: its filesystem type, or "dd".
std::string stream_kind(const PartitionSource& s) { return s.raw ? "dd" : s.probe.type; }

std::string source_list(const std::vector<SaveJournal::Source>& sources) {
    std::string s;
    for (const auto& x : sources) s += (s.empty() ? "" : ", ") + x.name + " (" + x.path + ")";
    return s;
}

// Every stream read back through the restore path with no target, every file against its
// recorded size and SHA-256.
void verify_saved(const Repository& repo, const std::string& dir, const Manifest& manifest, ProgressStyle style,
                  const ProgressSink& sink, const CancelToken& cancel) {
    Progress progress(style, "verify", sink);
    std::uint64_t total = 0;
    for (const auto& p : manifest.parts) total += p.used_blocks * p.block_size;
    progress.set_total(total);
    progress.start();
    for (const auto& p : manifest.parts) {
        check_files_against_manifest(repo, dir, p);
        DataFiles files = find_data_files(repo, dir, p.name);
        attach_checksums(files, p);
        check_partition(repo, dir, files, progress, cancel);
    }
    progress.stop();
}

// The Partclone header a fingerprint recorded.
PartcloneHeader journaled_header(const SourceFingerprint& f) {
    std::array<std::uint8_t, partclone_v2_header_size> bytes{};
    for (std::size_t i = 0; i < bytes.size() && 2 * i + 1 < f.header_hex.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(std::stoul(f.header_hex.substr(2 * i, 2), nullptr, 16));
    return decode_partclone_v2(bytes.data());
}

// Exit codes of failures that a later run may well not meet again.
bool worth_resuming(ExitCode why) { return why == ExitCode::io_error || why == ExitCode::cancelled; }

}  // namespace

std::string partial_image_name(const std::string& image) { return ".kura-partial-" + image; }

ImageSaveSession::ImageSaveSession(Repository& repo, std::string image, SaveSettings settings)
    : repo_(repo),
      image_(std::move(image)),
      dir_(partial_image_name(image_)),
      settings_(std::move(settings)),
      interval_(settings_.checkpoint_bytes) {
    manifest_.engine = std::string("kura ") + KURA_VERSION;
}

std::unique_ptr<ImageSaveSession> ImageSaveSession::start(Repository& repo, const std::string& image,
                                                          const SaveSettings& settings) {
    validate_image_name(image);
    auto refuse_existing = [&] {
        if (repo.exists(image))
            throw Error(ExitCode::target_refused, "image " + image + " already exists in " + repo.describe() +
                                                      "; choose another name or remove the old image first");
    };
    refuse_existing();
    std::unique_ptr<ImageSaveSession> s(new ImageSaveSession(repo, image, settings));
    s->lock_ = ImageWriteLock::acquire(repo, image);
    refuse_existing();  // again: a save that held the lock until now may have finished it
    if (repo.exists(s->dir_)) {
        bool resumable = false;
        try {
            resumable = read_save_journal(repo, s->dir_).has_value();
        } catch (const Error&) {
        }
        if (resumable)
            log::warn("discarding the interrupted save of " + image + " in " + repo.describe() +
                      " and starting over (--resume would have continued it)");
        else
            log::info("removing " + s->dir_ + " left by an earlier save that did not finish");
        repo.remove_tree(s->dir_);
    }
    repo.make_directory(s->dir_);
    s->claim_directory();
    s->manifest_.created = utc_timestamp();
    SaveJournal& j = s->journal_;
    j.image = image;
    j.engine = s->manifest_.engine;
    j.created = s->manifest_.created;
    j.codec = settings.codec->name;
    j.level = settings.compress.level;
    j.split_bytes = settings.split_bytes;
    return s;
}

std::unique_ptr<ImageSaveSession> ImageSaveSession::resume(Repository& repo, const std::string& image,
                                                           const SaveSettings& settings) {
    validate_image_name(image);
    auto refuse_existing = [&] {
        if (repo.exists(image))
            throw Error(ExitCode::target_refused, "image " + image + " already exists in " + repo.describe() +
                                                      " and is complete; there is nothing to resume");
    };
    refuse_existing();
    std::unique_ptr<ImageSaveSession> s(new ImageSaveSession(repo, image, settings));
    // Also for a resume: the journal must not be read while another run writes it.
    s->lock_ = ImageWriteLock::acquire(repo, image);
    refuse_existing();
    const std::string nothing = "no interrupted save of " + image + " in " + repo.describe() + " to resume";
    if (!repo.is_directory(s->dir_)) throw Error(ExitCode::usage, nothing);
    std::optional<SaveJournal> journal;
    try {
        journal = read_save_journal(repo, s->dir_);
    } catch (const Error& e) {
        throw Error(e.code(), std::string(e.what()) + "; the save of " + image +
                                  " cannot be continued: start a new one without --resume (it removes the partial image)");
    }
    if (!journal)
        throw Error(ExitCode::usage, nothing + ": the save in " + s->dir_ +
                                         " stopped before its first checkpoint; start a new one without --resume");
    if (journal->image != image)
        throw Error(ExitCode::image_corrupt, repo.describe() + "/" + s->dir_ + ": its journal belongs to image " +
                                                 journal->image);
    // Codec and split size shape the files already written; level and threads only how
    // well or how fast the rest is compressed, which the stream does not care about.
    if (journal->codec != settings.codec->name || journal->split_bytes != settings.split_bytes)
        throw Error(ExitCode::usage, "the interrupted save of " + image + " used -z " + journal->codec +
                                         " --split " + std::to_string(journal->split_bytes) +
                                         " bytes; resume it with the same -z and --split (this run has -z " +
                                         settings.codec->name + " --split " + std::to_string(settings.split_bytes) +
                                         " bytes)");
    if (journal->level != settings.compress.level)
        log::info("the interrupted save used compression level " + std::to_string(journal->level) +
                  "; the rest is compressed at level " + std::to_string(settings.compress.level));
    s->resumed_ = true;
    s->journal_ = std::move(*journal);
    s->journal_.resumes += 1;
    s->manifest_.created = s->journal_.created;
    s->manifest_.resumes = s->journal_.resumes;
    s->note_saved(nullptr, nullptr);
    return s;
}

void ImageSaveSession::check_sources(const std::vector<PartitionSource>& sources) {
    if (!resumed_) {
        journal_.sources.clear();
        for (const auto& s : sources) journal_.sources.push_back({s.name, s.path});
        return;
    }
    std::vector<SaveJournal::Source> given;
    for (const auto& s : sources) given.push_back({s.name, s.path});
    bool same = given.size() == journal_.sources.size();
    for (std::size_t i = 0; same && i < given.size(); ++i) same = given[i].name == journal_.sources[i].name;
    if (!same)
        throw Error(ExitCode::usage, "the interrupted save of " + image_ + " was of " +
                                         source_list(journal_.sources) + "; resume it with the same partitions, "
                                         "in the same order (this run has " + source_list(given) + ")");
    // Finished partitions come first, in order, then the one in progress.
    std::size_t i = 0;
    for (; i < journal_.completed.size(); ++i) {
        const ManifestPart& done = journal_.completed[i];
        const PartitionSource& s = sources.at(i);
        if (done.name != s.name)
            throw Error(ExitCode::image_corrupt, repo_.describe() + "/" + dir_ + ": its journal lists the partitions "
                                                                              "out of order");
        if (done.device_bytes != s.device_bytes || done.fs_type != stream_kind(s))
            throw Error(ExitCode::source_unsupported,
                        s.path + " is not the partition the interrupted save of " + image_ + " saved as " + s.name +
                            " (then " + done.fs_type + ", " + std::to_string(done.device_bytes) + " bytes; now " +
                            stream_kind(s) + ", " + std::to_string(s.device_bytes) +
                            " bytes); start a new save without --resume (it removes the partial image)");
    }
    if (journal_.current) {
        if (i >= sources.size() || sources[i].name != journal_.current->name)
            throw Error(ExitCode::image_corrupt, repo_.describe() + "/" + dir_ + ": its journal's partition in "
                                                                              "progress is not the next one");
        const PartitionSource& s = sources[i];
        SourceFingerprint now = fingerprint_source(s);
        std::string change = describe_change(journal_.current->source, now);
        if (!change.empty())
            throw Error(ExitCode::source_unsupported,
                        s.path + " changed since the interrupted save of " + image_ + " (" + change +
                            "), so the part already saved cannot be continued; start a new save without --resume "
                            "(it removes the partial image)");
        note_saved(&s, &journal_.current->checkpoint);
    } else {
        note_saved(nullptr, nullptr);
    }
}

void ImageSaveSession::note_saved(const PartitionSource* source, const PartitionCheckpoint* at) {
    bytes_saved_ = 0;
    for (const auto& p : journal_.completed) bytes_saved_ += p.used_blocks * p.block_size;
    if (source && at) {
        bytes_saved_ += source->raw ? at->raw_bytes : at->encoder.blocks_written * source->map.block_size;
    } else if (journal_.current) {
        // Before the sources are known: the block size is in the journaled header.
        const auto& c = journal_.current->checkpoint;
        bytes_saved_ += journal_.current->source.raw
                            ? c.raw_bytes
                            : c.encoder.blocks_written * journaled_header(journal_.current->source).block_size;
    }
}

std::string ImageSaveSession::resume_summary() const {
    if (!resumed_) return {};
    std::string s = "resuming the interrupted save of " + image_ + ": " + format_bytes(bytes_saved_) +
                    " already saved";
    if (!journal_.completed.empty()) {
        s += " (finished:";
        for (const auto& p : journal_.completed) s += " " + p.name;
        s += ")";
    }
    if (journal_.current) s += "; " + journal_.current->name + " continues from its last checkpoint";
    return s;
}

const ManifestPart& ImageSaveSession::save(const PartitionSource& source, Progress& progress,
                                           const CancelToken& cancel) {
    if (!claimed_) claim_directory();  // a resumed session, on its first write
    for (const auto& done : journal_.completed)
        if (done.name == source.name) {
            log::info("skipping " + source.name + ": the interrupted save finished it");
            manifest_.parts.push_back(done);
            return manifest_.parts.back();
        }
    bool listed = false;
    for (const auto& s : journal_.sources) listed = listed || s.name == source.name;
    if (!listed) journal_.sources.push_back({source.name, source.path});

    std::optional<PartitionCheckpoint> from;
    SourceFingerprint fingerprint;
    if (journal_.current && journal_.current->name == source.name) {
        from = journal_.current->checkpoint;
        fingerprint = journal_.current->source;  // check_sources() compared it with the source
        log::info("continuing " + source.path + " (" + source.name + ") from its last checkpoint: " +
                  format_bytes(from->stream_bytes) + " of its stream were saved");
    } else {
        if (journal_.current)
            throw Error(ExitCode::internal, "partition " + source.name + " saved before " + journal_.current->name +
                                                ", which the interrupted save had begun");
        fingerprint = fingerprint_source(source);
        log::info("saving " + source.path + " (" + (source.raw ? "dd" : source.probe.type) + ") as " + source.name);
        if (resumed_) remove_stale_pieces(stream_base_name(source, *settings_.codec));
    }

    Checkpointing checkpoints;
    checkpoints.interval = interval_;
    checkpoints.resume_from = from ? &*from : nullptr;
    checkpoints.on_checkpoint = [&](const PartitionCheckpoint& at) {
        journal_.current = SaveJournal::InProgress{source.name, fingerprint, at};
        record();
        note_saved(&source, &at);
    };
    ManifestPart part = save_partition(source, repo_, dir_, settings_, progress, checkpoints, cancel);
    journal_.completed.push_back(part);
    journal_.current.reset();
    record();
    note_saved(nullptr, nullptr);
    manifest_.parts.push_back(std::move(part));
    return manifest_.parts.back();
}

void ImageSaveSession::write_file(const std::string& name, const std::string& text) {
    // An interrupted run may have written it already (killed while finishing): replace it.
    std::string path = dir_ + "/" + name;
    if (resumed_ && repo_.exists(path)) repo_.remove_tree(path);
    write_text_file(repo_, path, text);
}

void ImageSaveSession::write_file(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    write_file(name, std::string(bytes.begin(), bytes.end()));
}

void ImageSaveSession::remove_stale_pieces(const std::string& base) {
    for (const auto& name : repo_.list(dir_))
        if (name == base || (name.size() == base.size() + 3 && name.compare(0, base.size() + 1, base + ".") == 0 &&
                             split_index(name.substr(base.size() + 1)) >= 0)) {
            log::info("removing " + name + ", begun by the interrupted save before its first checkpoint");
            repo_.remove_tree(dir_ + "/" + name);
        }
}

const Manifest& ImageSaveSession::finish(bool verify, ProgressStyle style, const ProgressSink& sink,
                                         const std::function<void(const Manifest&)>& write_metadata,
                                         const CancelToken& cancel) {
    manifest_.complete = true;
    if (verify) {
        log::info("verifying the new image (every checksum, every file)");
        verify_saved(repo_, dir_, manifest_, style, sink, cancel);
        manifest_.verified = true;
    }
    manifest_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    write_file(kManifestFile, manifest_.to_text());
    if (write_metadata) write_metadata(manifest_);
    repo_.sync_directory(dir_);
    // Only the directory this run created (or resumed) is renamed, and only while this
    // run holds the name: a lock removed by hand or taken over lets another save replace
    // the partial directory, and its half-written files must not become the image.
    if (!claimed_) claim_directory();
    if (!directory_is_ours())
        throw Error(ExitCode::target_refused, repo_.describe() + "/" + dir_ + " is no longer the directory this "
                                              "save of " + image_ + " wrote (another save replaced it); nothing "
                                              "was renamed");
    lock_->check_still_held();
    repo_.rename(dir_, image_);
    finished_ = true;
    // After the rename: a crash just before it costs nothing but a journal (and a run
    // token) left in a complete image, which no reader looks at; before it, the whole save.
    remove_save_journal(repo_, image_);
    repo_.remove_tree(image_ + "/" + kRunTokenFile);
    repo_.sync_directory(image_);
    repo_.sync_directory("");
    lock_->release();
    return manifest_;
}

void ImageSaveSession::abandon(ExitCode why) noexcept {
    if (finished_) return;
    try {
        bool keep = resumed_ || (journal_written_ && worth_resuming(why));
        if (claimed_ && !directory_is_ours()) {
            log::warn(repo_.describe() + "/" + dir_ + " is no longer the directory this save wrote; leaving it");
            return;
        }
        if (!keep) {
            // Never leave half an image behind that nobody can continue.
            repo_.remove_tree(dir_);
            return;
        }
        log::warn("the unfinished image stays in " + repo_.describe() + "/" + dir_ + " (" +
                  format_bytes(bytes_saved_) + " of data saved)" +
                  (worth_resuming(why) ? "; run the same command with --resume to continue it" : "") +
                  "; a save without --resume starts over and removes it");
    } catch (const std::exception& e) {
        log::warn(std::string("could not remove the unfinished image: ") + e.what());
    }
}

void ImageSaveSession::claim_directory() {
    std::string path = dir_ + "/" + kRunTokenFile;
    if (repo_.exists(path)) repo_.remove_tree(path);  // the interrupted run's
    write_text_file(repo_, path, lock_->token() + "\n");
    claimed_ = true;
}

bool ImageSaveSession::directory_is_ours() const {
    std::string path = dir_ + "/" + kRunTokenFile;
    try {
        return repo_.exists(path) && read_text_file(repo_, path, 256) == lock_->token() + "\n";
    } catch (const Error&) {
        return false;
    }
}

void ImageSaveSession::record() {
    write_save_journal(repo_, dir_, journal_);
    journal_written_ = true;
}

const Manifest& save_all(ImageSaveSession& session, const std::vector<PartitionSource>& sources,
                         std::uint64_t total_bytes, bool verify, ProgressStyle style, const ProgressSink& sink,
                         const std::function<void(const Manifest&)>& write_metadata, const CancelToken& cancel) {
    try {
        Progress progress(style, "save", sink);
        progress.set_total(total_bytes);
        progress.add_already_done(session.bytes_already_saved());
        progress.start();
        for (const auto& source : sources) session.save(source, progress, cancel);
        progress.stop();
        return session.finish(verify, style, sink, write_metadata, cancel);
    } catch (const Error& e) {
        session.abandon(e.code());
        throw;
    } catch (...) {
        session.abandon(ExitCode::internal);
        throw;
    }
}

}  // namespace kura
