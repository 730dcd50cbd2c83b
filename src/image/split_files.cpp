#include "image/split_files.h"

#include "core/error.h"

namespace kura {

std::string split_suffix(std::size_t index) {
    if (index >= 26 * 26)
        throw Error(ExitCode::usage, "more than 676 split pieces; choose a larger --split size");
    return {static_cast<char>('a' + index / 26), static_cast<char>('a' + index % 26)};
}

int split_index(const std::string& s) {
    if (s.size() != 2 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z') return -1;
    return (s[0] - 'a') * 26 + (s[1] - 'a');
}

SplitWriter::SplitWriter(Repository& repo, std::string dir, std::string base, std::uint64_t piece_bytes)
    : repo_(repo), dir_(std::move(dir)), base_(std::move(base)), piece_bytes_(piece_bytes) {
    open_next();
}

void SplitWriter::close_current() {
    current_->close();
    current_.reset();
    files_.back().sha256 = hash_.hex_digest();
}

void SplitWriter::open_next() {
    std::string name = piece_bytes_ == 0 ? base_ : base_ + "." + split_suffix(files_.size());
    current_ = repo_.create_file(dir_ + "/" + name);
    files_.push_back({name, 0, {}});
    in_current_ = 0;
}

void SplitWriter::write(const void* data, std::size_t length) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    while (length > 0) {
        if (piece_bytes_ != 0 && in_current_ == piece_bytes_) {
            close_current();
            open_next();
        }
        std::size_t n = length;
        if (piece_bytes_ != 0 && n > piece_bytes_ - in_current_)
            n = static_cast<std::size_t>(piece_bytes_ - in_current_);
        current_->write(p, n);
        hash_.update(p, n);
        in_current_ += n;
        files_.back().bytes += n;
        p += n;
        length -= n;
    }
}

void SplitWriter::close() {
    if (current_) close_current();
}

SplitReader::SplitReader(const Repository& repo, std::string dir, std::vector<std::string> names,
                         std::vector<std::string> expected_sha256)
    : repo_(repo), dir_(std::move(dir)), names_(std::move(names)), expected_(std::move(expected_sha256)) {}

void SplitReader::check_piece(std::size_t index) {
    std::string digest = hash_.hex_digest();
    if (index < expected_.size() && !expected_[index].empty() && expected_[index] != digest && mismatch_.empty())
        mismatch_ = dir_ + "/" + names_[index];
}

void SplitReader::check_sha256() const {
    if (!mismatch_.empty())
        throw Error(ExitCode::image_corrupt,
                    mismatch_ + ": its SHA-256 differs from the one recorded when it was saved "
                                "(the file was changed or damaged)");
}

std::size_t SplitReader::read(void* buffer, std::size_t length) {
    for (;;) {
        if (!current_) {
            if (next_ >= names_.size()) return 0;
            current_ = repo_.open_file(dir_ + "/" + names_[next_++]);
        }
        std::size_t n = current_->read(buffer, length);
        if (n > 0) {
            hash_.update(buffer, n);
            return n;
        }
        current_.reset();
        check_piece(next_ - 1);
    }
}

}  // namespace kura
