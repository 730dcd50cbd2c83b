#include "image/image_name.h"

#include <filesystem>
#include <sys/stat.h>

namespace kura {
namespace {

bool allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '+';
}

}  // namespace

std::string image_name_for(const std::string& path) {
    std::error_code ec;
    std::string real = std::filesystem::canonical(path, ec).string();
    if (ec) real = path;
    std::string name;
    struct stat st {};
    if (::stat(real.c_str(), &st) == 0 && S_ISBLK(st.st_mode) && real.rfind("/dev/", 0) == 0) {
        name = real.substr(5);
        for (char& c : name)
            if (c == '/') c = '-';
    } else {
        name = std::filesystem::path(real).filename().string();
    }
    for (char& c : name)
        if (!allowed(c)) c = '_';
    if (name.empty() || name == "." || name == "..") name = "part";
    return name;
}

bool is_valid_part_name(const std::string& name) {
    if (name.empty() || name == "." || name == "..") return false;
    for (char c : name)
        if (!allowed(c)) return false;
    return true;
}

}  // namespace kura
