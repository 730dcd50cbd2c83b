#include "image/clonezilla_metadata.h"

#include <cmath>
#include <cstdio>
#include <openssl/evp.h>
#include <optional>
#include <sstream>

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

std::string disk_file_text(const std::vector<std::string>& disk_names) {
    std::string s;
    for (const auto& d : disk_names) s += (s.empty() ? "" : " ") + d;
    return s + "\n";
}

std::string swap_info_text(const ProbeResult& probe) {
    return "UUID=\"" + probe.uuid + "\"\nLABEL=\"" + probe.label + "\"\n";
}

ProbeResult parse_swap_info(const std::string& text) {
    ProbeResult probe;
    probe.type = "swap";
    std::istringstream in(text);
    std::string line;
    auto value = [](const std::string& l, const std::string& key) -> std::optional<std::string> {
        if (l.rfind(key + "=", 0) != 0) return std::nullopt;
        std::string v = l.substr(key.size() + 1);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        return v;
    };
    while (std::getline(in, line)) {
        if (auto v = value(line, "UUID")) probe.uuid = *v;
        if (auto v = value(line, "LABEL")) probe.label = *v;
    }
    return probe;
}

std::string info_img_id_text(const std::string& clonezilla_img) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(clonezilla_img.data(), clonezilla_img.size(), digest, &length, EVP_sha512(), nullptr);
    static const char hex[] = "0123456789abcdef";
    std::string id;
    for (unsigned int i = 0; i < length; ++i) {
        id += hex[digest[i] >> 4];
        id += hex[digest[i] & 15];
    }
    return "# This checksum is only used to identify the image. It is the SHA-512 of the file clonezilla-img.\n"
           "IMG_ID=" + id + "\n";
}

}  // namespace kura
