// The table of repository backends, chosen by the shape of --repo.
#include "core/error.h"
#include "repo/device_repository.h"
#include "repo/local_repository.h"

#include <sys/stat.h>

namespace kura {

std::unique_ptr<Repository> open_repository(const std::string& location) {
    if (is_device_repository(location)) return std::make_unique<DeviceRepository>(location.substr(4));
    if (location.find("://") != std::string::npos)
        throw Error(ExitCode::usage, "--repo " + location +
                                         ": network repositories are not supported yet; mount the share "
                                         "and give its directory");
    struct stat st {};
    if (::stat(location.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error(ExitCode::image_not_found, "repository " + location + " is not a directory");
    return std::make_unique<LocalRepository>(location);
}

}  // namespace kura
