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

SplitWriter::SplitWriter(Repository& repo, std::string dir, std::string base, std::uint64_t piece_bytes,
                         const SplitPosition& at)
    : repo_(repo), dir_(std::move(dir)), base_(std::move(base)), piece_bytes_(piece_bytes) {
    auto damaged = [&](const std::string& name, const std::string& why) {
        return Error(ExitCode::image_corrupt, dir_ + "/" + name + ": " + why +
                                                  "; the interrupted save cannot be continued, start a new one");
    };
    if (piece_bytes_ == 0 && !at.finished.empty())
        throw damaged(base_, "the journal lists split pieces of an unsplit stream");
    for (std::size_t i = 0; i < at.finished.size(); ++i) {
        const StoredFile& f = at.finished[i];
        if (f.name != piece_name(i)) throw damaged(f.name, "not the expected piece " + piece_name(i));
        if (!repo_.exists(dir_ + "/" + f.name)) throw damaged(f.name, "the piece is missing");
        if (repo_.file_size(dir_ + "/" + f.name) != f.bytes)
            throw damaged(f.name, "its size is not the " + std::to_string(f.bytes) + " bytes recorded");
        files_.push_back(f);
    }
    const std::size_t index = at.finished.size();
    const std::string name = piece_name(index);
    const std::string path = dir_ + "/" + name;
    if (piece_bytes_ != 0 && at.current_bytes > piece_bytes_) throw damaged(name, "the journal exceeds the split size");
    if (!repo_.exists(path) || repo_.file_size(path) < at.current_bytes)
        throw damaged(name, "it holds less than the " + std::to_string(at.current_bytes) +
                                " bytes the interrupted save made durable");
    // Rehash what is kept; equal digests show it is byte for byte what the journal vouched for.
    {
        auto in = repo_.open_file(path);
        std::vector<std::uint8_t> buffer(4u << 20);
        std::uint64_t left = at.current_bytes;
        while (left > 0) {
            std::size_t n = in->read(buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size())));
            if (n == 0) throw damaged(name, "it ended while being read back");
            hash_.update(buffer.data(), n);
            left -= n;
        }
    }
    if (hash_.peek_hex_digest() != at.current_sha256)
        throw damaged(name, "its first " + std::to_string(at.current_bytes) +
                                " bytes are not what the interrupted save wrote (SHA-256 differs)");
    remove_pieces_after(index);
    current_ = repo_.reopen_file(path, at.current_bytes);
    files_.push_back({name, at.current_bytes, {}});
    in_current_ = at.current_bytes;
}

std::string SplitWriter::piece_name(std::size_t index) const {
    return piece_bytes_ == 0 ? base_ : base_ + "." + split_suffix(index);
}

void SplitWriter::remove_pieces_after(std::size_t index) {
    if (piece_bytes_ == 0) return;
    const std::string prefix = base_ + ".";
    for (const auto& name : repo_.list(dir_))
        if (name.size() == prefix.size() + 2 && name.compare(0, prefix.size(), prefix) == 0 &&
            split_index(name.substr(prefix.size())) > static_cast<int>(index))
            repo_.remove_tree(dir_ + "/" + name);
}

void SplitWriter::open_next() {
    std::string name = piece_name(files_.size());
    current_ = repo_.create_file(dir_ + "/" + name);
    files_.push_back({name, 0, {}});
    in_current_ = 0;
}

void SplitWriter::sync() {
    if (current_) current_->sync();
}

SplitPosition SplitWriter::position() const {
    SplitPosition p;
    if (files_.empty()) return p;
    p.finished.assign(files_.begin(), files_.end() - 1);
    p.current_bytes = in_current_;
    p.current_sha256 = hash_.peek_hex_digest();
    return p;
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
