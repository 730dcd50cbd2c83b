// The used-block bitmap: one bit per filesystem block, 1 = used. Its bytes are exactly what
// a Partclone v2 stream stores (bit i is bit i%8 of byte i/8, least significant first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace kura {

class Bitmap {
public:
    struct Run {
        std::uint64_t start = 0;
        std::uint64_t length = 0;
    };

    Bitmap() = default;
    explicit Bitmap(std::uint64_t bits);

    // Takes Partclone's on-disk bytes; bits past `bits` in the last byte must be clear.
    static Bitmap from_bytes(const std::uint8_t* bytes, std::size_t byte_count, std::uint64_t bits);

    std::uint64_t size() const { return bits_; }
    void set(std::uint64_t bit);
    void set_range(std::uint64_t first, std::uint64_t count);
    bool test(std::uint64_t bit) const;
    std::uint64_t count() const;
    // Set bits below index `end` (a resumed save checks its journal's block counts with it).
    std::uint64_t count_below(std::uint64_t end) const;

    // The first run of set bits at or after `from`.
    std::optional<Run> next_run(std::uint64_t from) const;

    // ceil(size/8) bytes in Partclone's layout.
    const std::uint8_t* bytes() const { return reinterpret_cast<const std::uint8_t*>(words_.data()); }
    std::size_t byte_count() const { return static_cast<std::size_t>(bits_ / 8 + (bits_ % 8 != 0 ? 1 : 0)); }

private:
    std::uint64_t next_set(std::uint64_t from) const;
    std::uint64_t next_clear(std::uint64_t from) const;

    std::uint64_t bits_ = 0;
    std::vector<std::uint64_t> words_;  // little-endian words give the LSB-first byte order
};

}  // namespace kura
