#include "device/sysfs.h"

#include <filesystem>
#include <fstream>
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

}  // namespace kura
