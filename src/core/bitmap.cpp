#include "core/bitmap.h"

#include "core/checked_math.h"
#include "core/error.h"

#include <bit>
#include <cstring>

namespace kura {

static_assert(std::endian::native == std::endian::little,
              "Partclone's bitmap and integers are little-endian; kura is built for such hosts");

// bits / 64 rounded up without adding first: (bits + 63) wraps for a forged count near 2^64.
Bitmap::Bitmap(std::uint64_t bits) : bits_(bits), words_(bits / 64 + (bits % 64 != 0 ? 1 : 0), 0) {}

Bitmap Bitmap::from_bytes(const std::uint8_t* bytes, std::size_t byte_count, std::uint64_t bits) {
    if (byte_count != bytes_for_bits(bits))
        throw Error(ExitCode::image_corrupt, "bitmap has " + std::to_string(byte_count) + " bytes for " +
                                                 std::to_string(bits) + " blocks");
    Bitmap b(bits);
    std::memcpy(b.words_.data(), bytes, byte_count);
    // Partclone zeroes the padding; anything there would be blocks past the end.
    if (bits % 8 != 0 && byte_count > 0 && (bytes[byte_count - 1] >> (bits % 8)) != 0)
        throw Error(ExitCode::image_corrupt, "bitmap marks blocks past the end of the filesystem");
    return b;
}

void Bitmap::set(std::uint64_t bit) { words_[bit / 64] |= 1ull << (bit % 64); }

void Bitmap::set_range(std::uint64_t first, std::uint64_t count) {
    std::uint64_t end = first + count;
    while (first < end && first % 64 != 0) set(first++);
    while (first + 64 <= end) {
        words_[first / 64] = ~0ull;
        first += 64;
    }
    while (first < end) set(first++);
}

bool Bitmap::test(std::uint64_t bit) const { return (words_[bit / 64] >> (bit % 64)) & 1; }

std::uint64_t Bitmap::count() const {
    std::uint64_t n = 0;
    for (std::uint64_t w : words_) n += static_cast<std::uint64_t>(std::popcount(w));
    return n;
}

std::uint64_t Bitmap::count_below(std::uint64_t end) const {
    if (end > bits_) end = bits_;
    std::uint64_t n = 0;
    std::size_t whole = static_cast<std::size_t>(end / 64);
    for (std::size_t w = 0; w < whole; ++w) n += static_cast<std::uint64_t>(std::popcount(words_[w]));
    if (end % 64 != 0) n += static_cast<std::uint64_t>(std::popcount(words_[whole] & ((1ull << (end % 64)) - 1)));
    return n;
}

std::uint64_t Bitmap::next_set(std::uint64_t from) const {
    if (from >= bits_) return bits_;
    std::size_t w = static_cast<std::size_t>(from / 64);
    std::uint64_t word = words_[w] & (~0ull << (from % 64));
    while (word == 0) {
        if (++w >= words_.size()) return bits_;
        word = words_[w];
    }
    std::uint64_t bit = w * 64 + static_cast<std::uint64_t>(std::countr_zero(word));
    return bit < bits_ ? bit : bits_;
}

std::uint64_t Bitmap::next_clear(std::uint64_t from) const {
    if (from >= bits_) return bits_;
    std::size_t w = static_cast<std::size_t>(from / 64);
    std::uint64_t word = ~words_[w] & (~0ull << (from % 64));
    while (word == 0) {
        if (++w >= words_.size()) return bits_;
        word = ~words_[w];
    }
    std::uint64_t bit = w * 64 + static_cast<std::uint64_t>(std::countr_zero(word));
    return bit < bits_ ? bit : bits_;
}

std::optional<Bitmap::Run> Bitmap::next_run(std::uint64_t from) const {
    std::uint64_t start = next_set(from);
    if (start >= bits_) return std::nullopt;
    return Run{start, next_clear(start) - start};
}

}  // namespace kura
