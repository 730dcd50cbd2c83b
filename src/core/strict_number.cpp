#include "core/strict_number.h"

#include <charconv>
#include <cmath>

namespace kura {
namespace {

std::optional<std::uint64_t> parse_unsigned(std::string_view token, int base) {
    // from_chars would accept a leading '-' for signed types only, but say so explicitly:
    // a sign, "0x" or blank is not part of any number these files hold.
    if (token.empty() || token.front() == '-' || token.front() == '+') return std::nullopt;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value, base);
    if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
    return value;
}

}  // namespace

std::optional<std::uint64_t> parse_decimal_u64(std::string_view token) { return parse_unsigned(token, 10); }

std::optional<std::uint64_t> parse_hex_u64(std::string_view token) { return parse_unsigned(token, 16); }

std::optional<double> parse_non_negative_double(std::string_view token) {
    if (token.empty() || token.front() == '-' || token.front() == '+') return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec != std::errc() || end != token.data() + token.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

}  // namespace kura
