#include "image/clonezilla_metadata.h"

#include <cmath>
#include <cstdio>

namespace kura {

std::string parts_file_text(const std::vector<SavedDevice>& devices) {
    std::string s;
    for (const auto& d : devices) s += (s.empty() ? "" : " ") + d.name;
    return s + "\n";
}

std::string lsblk_size(std::uint64_t bytes) {
    static const char units[] = {'B', 'K', 'M', 'G', 'T', 'P'};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    if (std::fabs(v - std::round(v)) < 0.05)
        std::snprintf(buf, sizeof buf, "%.0f%c", std::round(v), units[u]);
    else
        std::snprintf(buf, sizeof buf, "%.1f%c", v, units[u]);
    return buf;
}

std::string dev_fs_list_text(const std::vector<SavedDevice>& devices) {
    std::string s = "# <Device name>   <File system>   <Size>\n"
                    "# File system is got from ocs-get-dev-info. It might be different from that of blkid or parted.\n";
    for (const auto& d : devices) s += "/dev/" + d.name + " " + d.probe.type + " " + lsblk_size(d.bytes) + "\n";
    return s;
}

std::string blkid_list_text(const std::vector<SavedDevice>& devices) {
    std::string s;
    for (const auto& d : devices) s += blkid_line(d.name, d.probe) + "\n";
    return s;
}

std::string clonezilla_img_text(const std::string& when, const std::vector<std::string>& log_lines) {
    std::string s = "This image was saved by kura " + std::string(KURA_VERSION) + " at " + when + ".\n";
    for (const auto& line : log_lines) s += line + "\n";
    return s;
}

}  // namespace kura
