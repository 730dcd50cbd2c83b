#include "device/sysfs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/sysmacros.h>

namespace kura {
namespace fs = std::filesystem;

namespace {

std::string read_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string trimmed(const std::string& s) {
    const char* blanks = " \t\r\n";
    auto first = s.find_first_not_of(blanks);
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

std::string majmin(dev_t dev) {
    return std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
}

}  // namespace

std::optional<dev_t> read_dev_file(const std::string& path) {
    unsigned maj = 0, min = 0;
    std::string line = read_line(path);
    if (std::sscanf(line.c_str(), "%u:%u", &maj, &min) != 2) return std::nullopt;
    return makedev(maj, min);
}

std::optional<std::string> Sysfs::dir_of(dev_t dev) const {
    std::error_code ec;
    fs::path link = fs::path(root_) / "dev" / "block" / majmin(dev);
    fs::path real = fs::canonical(link, ec);
    if (ec) return std::nullopt;
    return real.string();
}

std::string Sysfs::kernel_name(dev_t dev) const {
    auto dir = dir_of(dev);
    return dir ? fs::path(*dir).filename().string() : std::string();
}

bool Sysfs::is_partition(dev_t dev) const {
    auto dir = dir_of(dev);
    return dir && fs::exists(fs::path(*dir) / "partition");
}

std::optional<std::uint64_t> Sysfs::partition_start(dev_t dev) const {
    auto dir = dir_of(dev);
    if (!dir || !fs::exists(fs::path(*dir) / "partition")) return std::nullopt;
    std::ifstream in(fs::path(*dir) / "start");
    std::uint64_t start = 0;
    if (!(in >> start)) return std::nullopt;
    return start;
}

std::optional<dev_t> Sysfs::parent_disk(dev_t partition) const {
    auto dir = dir_of(partition);
    if (!dir || !fs::exists(fs::path(*dir) / "partition")) return std::nullopt;
    return read_dev_file((fs::path(*dir).parent_path() / "dev").string());
}

std::vector<dev_t> Sysfs::partitions(dev_t disk) const {
    std::vector<dev_t> out;
    auto dir = dir_of(disk);
    if (!dir) return out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(*dir, ec)) {
        if (!fs::exists(entry.path() / "partition")) continue;
        if (auto d = read_dev_file((entry.path() / "dev").string())) out.push_back(*d);
    }
    return out;
}

std::vector<dev_t> Sysfs::devs_in(const std::string& sub) const {
    std::vector<dev_t> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(sub, ec)) {
        fs::path real = fs::canonical(entry.path(), ec);
        if (ec) continue;
        if (auto d = read_dev_file((real / "dev").string())) out.push_back(*d);
    }
    return out;
}

std::vector<std::string> Sysfs::holders(dev_t dev) const {
    std::vector<std::string> out;
    auto dir = dir_of(dev);
    if (!dir) return out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(*dir) / "holders", ec))
        out.push_back(entry.path().filename().string());
    return out;
}

std::vector<dev_t> Sysfs::slaves(dev_t dev) const {
    auto dir = dir_of(dev);
    if (!dir) return {};
    return devs_in((fs::path(*dir) / "slaves").string());
}

std::optional<std::string> Sysfs::loop_backing_file(dev_t dev) const {
    auto dir = dir_of(dev);
    if (!dir) return std::nullopt;
    fs::path file = fs::path(*dir) / "loop" / "backing_file";
    if (!fs::exists(file)) return std::nullopt;
    std::string line = read_line(file.string());
    if (line.empty()) return std::nullopt;
    return line;
}

std::vector<std::pair<std::string, std::string>> Sysfs::loop_backing_files() const {
    std::vector<std::pair<std::string, std::string>> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(root_) / "block", ec)) {
        std::string name = entry.path().filename().string();
        if (name.rfind("loop", 0) != 0) continue;
        fs::path file = entry.path() / "loop" / "backing_file";
        if (!fs::exists(file)) continue;
        std::string backing = read_line(file.string());
        if (!backing.empty()) out.emplace_back(name, backing);
    }
    return out;
}

std::vector<std::string> Sysfs::block_names() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(root_) / "block", ec))
        out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<dev_t> Sysfs::dev_of(const std::string& kernel_name) const {
    if (kernel_name.empty() || kernel_name.find('/') != std::string::npos) return std::nullopt;
    return read_dev_file((fs::path(root_) / "class" / "block" / kernel_name / "dev").string());
}

std::optional<std::string> Sysfs::raw_attribute(dev_t dev, const std::string& relative) const {
    auto dir = dir_of(dev);
    if (!dir) return std::nullopt;
    std::ifstream in(fs::path(*dir) / relative, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

std::optional<std::string> Sysfs::attribute(dev_t dev, const std::string& relative) const {
    auto dir = dir_of(dev);
    if (!dir) return std::nullopt;
    std::ifstream in(fs::path(*dir) / relative);
    if (!in) return std::nullopt;
    std::string line;
    std::getline(in, line);
    return trimmed(line);
}

std::optional<std::uint64_t> Sysfs::number(dev_t dev, const std::string& relative) const {
    auto text = attribute(dev, relative);
    if (!text || text->empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : *text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

std::string Sysfs::dm_name(dev_t dev) const { return attribute(dev, "dm/name").value_or(""); }

std::string Sysfs::dm_uuid(dev_t dev) const { return attribute(dev, "dm/uuid").value_or(""); }

std::vector<dev_t> Sysfs::partition_maps(dev_t dm_disk) const {
    std::vector<dev_t> out;
    std::string uuid = dm_uuid(dm_disk);
    if (uuid.empty()) return out;
    for (const auto& holder : holders(dm_disk)) {
        auto dev = dev_of(holder);
        if (dev && dm_partition_number(dm_uuid(*dev), uuid)) out.push_back(*dev);
    }
    return out;
}

std::optional<int> dm_partition_number(const std::string& map_uuid, const std::string& disk_uuid) {
    // kpartx names its maps' uuids "part<N>-<disk uuid>".
    if (disk_uuid.empty() || map_uuid.rfind("part", 0) != 0) return std::nullopt;
    std::size_t i = 4;
    int n = 0;
    while (i < map_uuid.size() && map_uuid[i] >= '0' && map_uuid[i] <= '9' && n < 100000)
        n = n * 10 + (map_uuid[i++] - '0');
    if (i == 4 || n == 0 || i >= map_uuid.size() || map_uuid[i] != '-') return std::nullopt;
    if (map_uuid.compare(i + 1, std::string::npos, disk_uuid) != 0) return std::nullopt;
    return n;
}

}  // namespace kura
