// Where images live. Everything the engine does with an image directory goes through this
// interface, so a local directory, a USB disk, NFS or SMB are interchangeable (one file
// per backend in repo/, chosen by open_repository() in repo/open_repository.h). Paths are
// relative to the repository root. A leaf of its own: image/ and pipeline/ read and write
// through it without knowing any backend.
#pragma once

#include "core/byte_stream.h"
#include "core/error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kura {

// A file being written in a repository. close() makes it durable and ends it; sync()
// makes what was written so far durable and keeps it open, so a save can checkpoint.
class WritableFile : public ByteSink {
public:
    // Local: fsync. NFS: COMMIT. SMB: libsmbclient has no flush, so this is "smbd has
    // accepted every byte" (docs/repositories.md says what that survives).
    virtual void sync() = 0;
};

// What create_file() and make_directory() throw when the name is taken: the image-name lock
// (ops/image_write_lock.h) is built on creation being exclusive on every backend.
class AlreadyExists : public Error {
public:
    explicit AlreadyExists(const std::string& message) : Error(ExitCode::io_error, message) {}
};

// What a directory entry is, seen without following a symlink (lstat): kura reads only
// regular files from an image, so a symlink, FIFO or device never reaches a reader.
enum class FileKind { missing, regular, directory, other };

struct EntryInfo {
    FileKind kind = FileKind::missing;
    std::uint64_t bytes = 0;  // regular files only; 0 for anything else, so nothing behind a link is told
};

struct DirEntry {
    std::string name;
    EntryInfo info;
};

class Repository {
public:
    virtual ~Repository() = default;

    // Where it is, for messages: "/home/partimag", "nfs://server/export".
    virtual std::string describe() const = 0;

    virtual bool exists(const std::string& path) const = 0;
    virtual bool is_directory(const std::string& path) const = 0;
    virtual std::vector<std::string> list(const std::string& dir) const = 0;  // names, sorted
    virtual std::uint64_t file_size(const std::string& path) const = 0;
    // The entry itself, never what a symlink points at.
    virtual EntryInfo entry_info(const std::string& path) const = 0;
    // One listing with each entry's kind and size (list() plus entry_info() unless a
    // backend gets both at once).
    virtual std::vector<DirEntry> list_entries(const std::string& dir) const;
    virtual std::uint64_t free_bytes() const = 0;

    // Both create exclusively (AlreadyExists when the name is taken) and, where the backend
    // has Unix permissions, readable by the owner only - 0700 directories, 0600 files -
    // whatever the umask: images hold password hashes and keys (docs/repositories.md,
    // "Permissions of image files"). An SMB server decides permissions itself.
    virtual void make_directory(const std::string& path) = 0;
    // A new file (never an existing one); close() makes it durable.
    virtual std::unique_ptr<WritableFile> create_file(const std::string& path) = 0;
    // An existing file cut back to its first `keep_bytes` bytes (it must have at least
    // that many), to be written on from there: a resumed save continues a data file.
    // Like open_file, only ever a regular file, never through a symlink.
    virtual std::unique_ptr<WritableFile> reopen_file(const std::string& path, std::uint64_t keep_bytes) = 0;
    // Throws Error(image_corrupt) for anything but a regular file (a symlink, a FIFO, a
    // device), saying only that: nothing about where a link points or what is there.
    virtual std::unique_ptr<ByteSource> open_file(const std::string& path) const = 0;
    virtual void rename(const std::string& from, const std::string& to) = 0;
    virtual void remove_tree(const std::string& path) = 0;
    // Makes directory entries (new files, renames) durable.
    virtual void sync_directory(const std::string& path) = 0;
};

// Convenience helpers on top of the interface.
void write_text_file(Repository& repo, const std::string& path, const std::string& text);
std::string read_text_file(const Repository& repo, const std::string& path, std::size_t max_bytes = 1 << 20);
// The refusal every backend gives for an entry that is not a regular file.
[[noreturn]] void throw_not_regular_file(const std::string& what);

}  // namespace kura
