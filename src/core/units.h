// Sizes and durations as people type and read them.
#pragma once

#include <cstdint>
#include <string>

namespace kura {

// Parses a split size the way Clonezilla's `-i N` reads it: a bare number is MB (10^6 bytes);
// K/KB, M/MB, G/GB, T/TB are powers of 1000; KiB, MiB, GiB, TiB are powers of 1024.
// Throws Error(usage) naming the text when it is not a size.
std::uint64_t parse_size(const std::string& text, const std::string& what);

// Parses a non-negative integer option; throws Error(usage) naming the option.
long parse_int(const std::string& text, const std::string& what, long min, long max);

// "1.4 GB", "512 MB", "999 B" (decimal units, as disk vendors and Clonezilla print them).
std::string format_bytes(std::uint64_t bytes);

// "01:02:03" or "02:03" for durations in seconds.
std::string format_duration(double seconds);

}  // namespace kura
