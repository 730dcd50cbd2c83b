// Numbers read from text an image carries (manifest, sfdisk and parted dumps, the resume
// journal): the whole token must be the number, in range, with nothing before or after it.
// Callers turn nullopt into Error(image_corrupt) naming the file, line and field; a
// malformed number is damage in the image, never an internal error.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kura {

// Decimal digits only (no sign, no spaces, no "0x"); nullopt when empty, not all digits,
// or more than 2^64-1.
std::optional<std::uint64_t> parse_decimal_u64(std::string_view token);
// Hexadecimal digits only (no "0x"); nullopt on anything else or above 2^64-1.
std::optional<std::uint64_t> parse_hex_u64(std::string_view token);
// A finite, non-negative decimal fraction such as "12.5" or "3e-05" (what an ostream prints
// for a double); nullopt for "abc", "nan", "inf", "-1", "1.5x".
std::optional<double> parse_non_negative_double(std::string_view token);

}  // namespace kura
