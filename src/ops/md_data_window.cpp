#include "ops/md_data_window.h"

#include <sys/stat.h>

namespace kura {
namespace {

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::unique_ptr<LoopWindow> open_md_data_window(const std::string& disk_path, std::uint64_t partition_start,
                                                const std::string& partition_path, const MdDataWindow& window) {
    if (is_regular_file(disk_path))
        return std::make_unique<LoopWindow>(disk_path, partition_start + window.offset, window.size, Access::read_only,
                                            Role::source);
    return std::make_unique<LoopWindow>(partition_path, window.offset, window.size, Access::read_only, Role::source);
}

}  // namespace kura
