#include "core/units.h"

#include "core/error.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

namespace kura {
namespace {

std::uint64_t unit_factor(const std::string& unit) {
    std::string u;
    for (char c : unit) u += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (u.empty()) return 1000ull * 1000;  // Clonezilla's -i counts MB
    if (u == "b") return 1;
    if (u == "k" || u == "kb") return 1000ull;
    if (u == "m" || u == "mb") return 1000ull * 1000;
    if (u == "g" || u == "gb") return 1000ull * 1000 * 1000;
    if (u == "t" || u == "tb") return 1000ull * 1000 * 1000 * 1000;
    if (u == "kib") return 1ull << 10;
    if (u == "mib") return 1ull << 20;
    if (u == "gib") return 1ull << 30;
    if (u == "tib") return 1ull << 40;
    return 0;
}

}  // namespace

std::uint64_t parse_size(const std::string& text, const std::string& what) {
    std::size_t i = 0;
    std::uint64_t value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
            throw Error(ExitCode::usage, what + ": '" + text + "' is too large");
        value = value * 10 + digit;
        ++i;
    }
    std::uint64_t factor = unit_factor(text.substr(i));
    if (i == 0 || factor == 0)
        throw Error(ExitCode::usage, what + ": '" + text +
                                         "' is not a size (examples: 4096, 4096MB, 2GiB, 0 for none)");
    if (value != 0 && factor > std::numeric_limits<std::uint64_t>::max() / value)
        throw Error(ExitCode::usage, what + ": '" + text + "' is too large");
    return value * factor;
}

long parse_int(const std::string& text, const std::string& what, long min, long max) {
    std::size_t used = 0;
    long value = 0;
    try {
        value = std::stol(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || value < min || value > max)
        throw Error(ExitCode::usage, what + ": '" + text + "' is not a number from " +
                                         std::to_string(min) + " to " + std::to_string(max));
    return value;
}

std::string format_bytes(std::uint64_t bytes) {
    static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1000.0 && u < 5) {
        v /= 1000.0;
        ++u;
    }
    char buf[32];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    auto total = static_cast<long long>(seconds + 0.5);
    long long h = total / 3600, m = (total / 60) % 60, s = total % 60;
    char buf[32];
    if (h > 0)
        std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", h, m, s);
    else
        std::snprintf(buf, sizeof buf, "%02lld:%02lld", m, s);
    return buf;
}

}  // namespace kura
