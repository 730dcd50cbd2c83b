#include "device/probed_block_devices.h"

#include "core/error.h"

#include <filesystem>

#include <sys/stat.h>

namespace kura {

std::vector<ProbedBlockDevice> probe_block_devices() {
    namespace fs = std::filesystem;
    std::vector<ProbedBlockDevice> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/sys/class/block", ec)) {
        ProbedBlockDevice d;
        d.name = entry.path().filename().string();
        if (d.name.rfind("ram", 0) == 0 || d.name.rfind("zram", 0) == 0) continue;
        d.path = "/dev/" + d.name;
        struct stat st {};
        if (::stat(d.path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) continue;
        d.rdev = st.st_rdev;
        try {
            d.probe = probe_filesystem(d.path);
        } catch (const Error&) {
            continue;  // an empty CD drive, a device that is going away
        }
        // The disk's device link runs through the USB bus for USB disks.
        std::string disk_link = fs::canonical(entry.path(), ec).parent_path().string();
        d.usb = disk_link.find("/usb") != std::string::npos;
        found.push_back(std::move(d));
    }
    return found;
}

}  // namespace kura
