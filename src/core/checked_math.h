// Overflow-safe arithmetic for numbers that come from outside (image headers, metadata
// files): a forged size must be refused, never wrap into a small allocation or a short
// copy. Each returns nullopt when the exact result does not fit in 64 bits.
#pragma once

#include <cstdint>
#include <optional>

namespace kura {

inline std::optional<std::uint64_t> checked_add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t r;
    if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
    return r;
}

inline std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) {
    std::uint64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
    return r;
}

// ceil(bits / 8): the bytes a bitmap of `bits` bits takes, without the (bits + 7) that wraps
// for a count near 2^64.
inline std::uint64_t bytes_for_bits(std::uint64_t bits) { return bits / 8 + (bits % 8 != 0 ? 1 : 0); }

inline bool is_power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace kura
