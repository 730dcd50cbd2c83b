// The table of repository backends, chosen by the scheme of --repo; anything without a
// scheme is a local directory.
#include "repo/open_repository.h"

#include "core/error.h"
#include "repo/device_repository.h"
#include "repo/local_repository.h"
#include "repo/nfs_repository.h"
#include "repo/smb_repository.h"

#include <functional>
#include <sys/stat.h>

namespace kura {
namespace {

struct Backend {
    const char* scheme;  // "nfs://", "dev:"
    std::function<std::unique_ptr<Repository>(const std::string&)> open;
};

const Backend kBackends[] = {
    {"dev:", [](const std::string& spec) { return std::make_unique<DeviceRepository>(spec.substr(4)); }},
    {"nfs://", [](const std::string& url) { return std::make_unique<NfsRepository>(url); }},
    {"smb://", [](const std::string& url) { return std::make_unique<SmbRepository>(url); }},
};

}  // namespace

std::unique_ptr<Repository> open_repository(const std::string& location) {
    for (const auto& backend : kBackends)
        if (location.rfind(backend.scheme, 0) == 0) return backend.open(location);
    if (location.find("://") != std::string::npos)
        throw Error(ExitCode::usage, "--repo " + location.substr(0, location.find("://") + 3) +
                                         "...: unknown repository scheme (nfs://, smb:// or a directory)");
    struct stat st {};
    if (::stat(location.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error(ExitCode::image_not_found, "repository " + location + " is not a directory");
    return std::make_unique<LocalRepository>(location);
}

}  // namespace kura
