#include "device/mount_table.h"

#include <fstream>
#include <sstream>
#include <sys/sysmacros.h>

namespace kura {
namespace {

// mountinfo escapes blanks in paths as \040 and friends (octal).
std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            int v = 0;
            bool ok = true;
            for (int k = 1; k <= 3; ++k) {
                char c = s[i + static_cast<std::size_t>(k)];
                if (c < '0' || c > '7') ok = false;
                v = v * 8 + (c - '0');
            }
            if (ok) {
                out += static_cast<char>(v);
                i += 3;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

}  // namespace

MountTable MountTable::parse(const std::string& text) {
    MountTable table;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        // id parent major:minor root mount_point options [optional...] - fstype source super_options
        std::istringstream f(line);
        std::string id, parent, majmin, root, mount_point, options;
        if (!(f >> id >> parent >> majmin >> root >> mount_point >> options)) continue;
        std::string field;
        while (f >> field && field != "-") {
        }
        MountEntry e;
        f >> e.fs_type >> e.source;
        unsigned maj = 0, min = 0;
        if (std::sscanf(majmin.c_str(), "%u:%u", &maj, &min) != 2) continue;
        e.device = makedev(maj, min);
        e.mount_point = unescape(mount_point);
        e.source = unescape(e.source);
        e.read_only = options == "ro" || options.rfind("ro,", 0) == 0;
        table.entries_.push_back(std::move(e));
    }
    return table;
}

MountTable MountTable::load(const std::string& mountinfo_path) {
    std::ifstream in(mountinfo_path);
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str());
}

std::vector<MountEntry> MountTable::on_device(dev_t dev) const {
    std::vector<MountEntry> out;
    for (const auto& e : entries_)
        if (e.device == dev) out.push_back(e);
    return out;
}

const MountEntry* MountTable::containing(const std::string& path) const {
    const MountEntry* best = nullptr;
    for (const auto& e : entries_) {
        const std::string& mp = e.mount_point;
        bool prefix = path.compare(0, mp.size(), mp) == 0 &&
                      (mp == "/" || path.size() == mp.size() || path[mp.size()] == '/');
        if (prefix && (!best || mp.size() >= best->mount_point.size())) best = &e;
    }
    return best;
}

}  // namespace kura
