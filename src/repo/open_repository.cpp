// The table of repository backends, chosen by the scheme of --repo; anything without a
// scheme is a local directory.
#include "repo/open_repository.h"

#include "core/error.h"
#include "repo/device_repository.h"
#include "repo/local_repository.h"
#include "repo/nfs4_repository.h"
#include "repo/nfs_repository.h"
#include "repo/smb_repository.h"

#include <functional>
#include <sys/stat.h>

namespace kura {
namespace {

struct Backend {
    const char* scheme;  // "nfs://", "dev:"
    std::function<std::unique_ptr<Repository>(const std::string&, const RepositoryOptions&)> open;
};

using Options = RepositoryOptions;  // keeps each row on one line

const Backend kBackends[] = {
    {"dev:", [](const std::string& spec, const Options&) { return std::make_unique<DeviceRepository>(spec.substr(4)); }},
    {"nfs://", [](const std::string& url, const Options&) { return std::make_unique<NfsRepository>(url); }},
    {"nfs4://", [](const std::string& url, const Options&) { return std::make_unique<Nfs4Repository>(url); }},
    {"smb://", [](const std::string& url, const Options& o) { return std::make_unique<SmbRepository>(url, o); }},
};

}  // namespace

std::unique_ptr<Repository> open_repository(const std::string& location, const RepositoryOptions& options) {
    for (const auto& backend : kBackends)
        if (location.rfind(backend.scheme, 0) == 0) return backend.open(location, options);
    if (location.find("://") != std::string::npos)
        throw Error(ExitCode::usage, "--repo " + location.substr(0, location.find("://") + 3) +
                                         "...: unknown repository scheme (nfs://, nfs4://, smb:// or a directory)");
    struct stat st {};
    if (::stat(location.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error(ExitCode::image_not_found, "repository " + location + " is not a directory");
    return std::make_unique<LocalRepository>(location);
}

}  // namespace kura
