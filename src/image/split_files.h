// Clonezilla splits a compressed stream into pieces named like `split -a 2`: base.aa,
// base.ab, ... base.zz; the pieces joined in name order are the stream. With splitting
// off there is one file without a suffix.
#pragma once

#include "core/byte_stream.h"
#include "core/sha256.h"
#include "storage/repository.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kura {

struct StoredFile {
    std::string name;  // relative to the image directory
    std::uint64_t bytes = 0;
    std::string sha256;  // hex; empty when not known (images written before kura recorded it)
};

// "aa" for 0 ... "zz" for 675; throws beyond, as split(1) runs out of suffixes there.
std::string split_suffix(std::size_t index);
// The piece index of a two-letter suffix, or -1.
int split_index(const std::string& suffix);

// Where a SplitWriter is in its pieces: what a save checkpoint records and a resumed save
// continues from. SHA-256 contexts cannot be saved, so the current piece's digest so far is
// recorded instead, and a resumed writer rehashes the kept bytes and compares.
struct SplitPosition {
    std::vector<StoredFile> finished;  // complete pieces, in order, with their SHA-256
    std::uint64_t current_bytes = 0;   // bytes in the next piece (index finished.size())
    std::string current_sha256;        // SHA-256 of those bytes
};

class SplitWriter : public ByteSink {
public:
    // piece_bytes == 0: one file named `base`; otherwise base.aa, base.ab, ...
    SplitWriter(Repository& repo, std::string dir, std::string base, std::uint64_t piece_bytes);
    // Continues pieces an earlier writer left: the finished ones must have their recorded
    // sizes (their digests are taken as recorded), the current one is read back, its first
    // `current_bytes` must hash to `current_sha256`, and it is cut back to them; pieces after
    // it are removed. Throws Error(image_corrupt) naming the piece that does not match.
    SplitWriter(Repository& repo, std::string dir, std::string base, std::uint64_t piece_bytes,
                const SplitPosition& resume_at);
    void write(const void* data, std::size_t length) override;
    void close() override;  // closing a piece makes it durable
    const std::vector<StoredFile>& files() const { return files_; }

    // Makes everything written so far durable (earlier pieces already are: closing did it).
    void sync();
    SplitPosition position() const;

private:
    std::string piece_name(std::size_t index) const;
    void open_next();
    void close_current();
    void remove_pieces_after(std::size_t index);
    Repository& repo_;
    std::string dir_, base_;
    std::uint64_t piece_bytes_;
    std::unique_ptr<WritableFile> current_;
    std::uint64_t in_current_ = 0;
    std::vector<StoredFile> files_;
    Sha256 hash_;  // of the current piece, as written
};

// Reads the pieces one after another as one stream. With `expected_sha256` (one hex
// digest per piece, from the manifest; empty entries are not checked), each piece is hashed
// as it is read; check_sha256() reports a mismatch once the stream was read to its end.
// It is not thrown from read(): a Partclone checksum error inside the piece names the
// damaged block, which says more, and read-ahead would let the file-level error win.
class SplitReader : public ByteSource {
public:
    SplitReader(const Repository& repo, std::string dir, std::vector<std::string> names,
                std::vector<std::string> expected_sha256 = {});
    std::size_t read(void* buffer, std::size_t length) override;
    // Throws Error(image_corrupt) naming the first piece whose SHA-256 differed.
    void check_sha256() const;

private:
    void check_piece(std::size_t index);
    const Repository& repo_;
    std::string dir_;
    std::vector<std::string> names_;
    std::vector<std::string> expected_;
    std::size_t next_ = 0;
    std::unique_ptr<ByteSource> current_;
    Sha256 hash_;
    std::string mismatch_;  // the first piece whose digest differed
};

}  // namespace kura
