// The resume journal: a small text file in a partial image directory that says how far
// the save got - the partitions it finished, and for the one in progress its source's
// fingerprint and the last checkpoint - so `--resume` can continue it. The format is in
// docs/image-format.md ("Resuming an interrupted save").
//
// It is kept in two copies, `.kura-resume.a` and `.kura-resume.b`, written alternately with
// a growing sequence number, each ending in a SHA-256 of its own text: a run killed while
// writing one leaves the other, and reading takes the newest copy that is whole. No
// repository needs an atomic replace for this (kura's rename refuses to overwrite, and SMB
// offers none).
#pragma once

#include "image/manifest.h"
#include "ops/source_fingerprint.h"
#include "pipeline/save_checkpoint.h"
#include "storage/repository.h"

#include <optional>
#include <string>
#include <vector>

namespace kura {

struct SaveJournal {
    struct Source {
        std::string name;  // in the image: sda1
        std::string path;  // as the operator gave it
    };
    struct InProgress {
        std::string name;
        SourceFingerprint source;
        PartitionCheckpoint checkpoint;
    };

    std::uint64_t sequence = 0;       // raised by every write; the newest whole copy wins
    std::string image;
    std::string engine;               // "kura 0.1.0", of the run that started the save
    std::string created;              // when the save started (the manifest keeps it)
    std::string codec;                // codec name: zstd, gzip, none
    int level = 0;
    std::uint64_t split_bytes = 0;
    int resumes = 0;                  // runs that continued it so far
    std::vector<Source> sources;      // every partition of the save, in order
    std::vector<ManifestPart> completed;
    std::optional<InProgress> current;

    std::string to_text() const;
    // Throws Error(image_corrupt) saying what is wrong; `what` names the file in it.
    static SaveJournal parse(const std::string& text, const std::string& what);
};

// The copies' names inside the image directory.
inline constexpr const char* kJournalFiles[] = {".kura-resume.a", ".kura-resume.b"};

// Raises the sequence number and writes the copy it selects, durably (file and directory).
void write_save_journal(Repository& repo, const std::string& dir, SaveJournal& journal);

// The newest whole copy; nullopt when `dir` has none. Throws Error(image_corrupt) when
// copies exist but none is whole.
std::optional<SaveJournal> read_save_journal(const Repository& repo, const std::string& dir);

// Removes both copies (a finished image must not carry them).
void remove_save_journal(Repository& repo, const std::string& dir);

}  // namespace kura
