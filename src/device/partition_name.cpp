#include "device/partition_name.h"

#include <cctype>

namespace kura {
namespace {

bool ends_in_digit(const std::string& s) { return !s.empty() && std::isdigit(static_cast<unsigned char>(s.back())); }

}  // namespace

std::string partition_name(const std::string& disk_name, int number) {
    return disk_name + (ends_in_digit(disk_name) ? "p" : "") + std::to_string(number);
}

std::optional<int> partition_number(const std::string& disk_name, const std::string& part_name) {
    if (part_name.size() <= disk_name.size() || part_name.compare(0, disk_name.size(), disk_name) != 0)
        return std::nullopt;
    std::string rest = part_name.substr(disk_name.size());
    if (ends_in_digit(disk_name)) {
        if (rest.size() < 2 || rest[0] != 'p') return std::nullopt;
        rest = rest.substr(1);
    }
    if (rest.empty() || rest.size() > 4 || rest[0] == '0') return std::nullopt;
    int n = 0;
    for (char c : rest) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

}  // namespace kura
