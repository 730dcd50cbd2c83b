#include "repo/nfs4_repository.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/mount_table.h"

#include <cerrno>
#include <cstring>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kura {
namespace {

constexpr const char* kScheme = "nfs4://";
constexpr const char* kMountBase = "/run/kura/repo-nfs4";

bool is_mount_point(const std::string& dir) {
    const MountTable table = MountTable::load();  // not a temporary: the loop keeps a reference into it
    for (const auto& m : table.entries())
        if (m.mount_point == dir) return true;
    return false;
}

void make_directory(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw_errno(ExitCode::io_error, "cannot create " + dir, errno);
}

// /run/kura/repo-nfs4, or /run/kura/repo-nfs4-2, -3... when another kura (the menu on one
// console, the CLI on another) or an earlier run that died holds that one: a mount is
// never stacked on another, and never taken away from whoever holds it.
std::string free_mount_point() {
    make_directory("/run/kura");
    for (int n = 1; n < 100; ++n) {
        std::string dir = kMountBase + (n == 1 ? std::string() : "-" + std::to_string(n));
        if (is_mount_point(dir)) continue;
        make_directory(dir);
        return dir;
    }
    throw Error(ExitCode::io_error, std::string("no free mount point for an NFSv4 repository: ") + kMountBase +
                                        " to -99 are all mounted");
}

}  // namespace

std::string Nfs4Location::url() const { return kScheme + server + (port.empty() ? "" : ":" + port) + path; }

// nfs4://server[:port]/export/path
Nfs4Location parse_nfs4_location(const std::string& location) {
    if (location.rfind(kScheme, 0) != 0) throw Error(ExitCode::usage, location + ": not an nfs4:// location");
    std::string rest = location.substr(std::strlen(kScheme));
    if (rest.find('?') != std::string::npos)
        throw Error(ExitCode::usage, location + ": nfs4:// takes no ?options (the kernel's mount chooses them)");
    auto slash = rest.find('/');
    Nfs4Location n;
    std::string authority = rest.substr(0, slash);
    n.path = slash == std::string::npos ? "" : rest.substr(slash);
    while (n.path.size() > 1 && n.path.back() == '/') n.path.pop_back();
    auto colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
        n.port = authority.substr(colon + 1);
        authority.resize(colon);
        if (n.port.empty() || n.port.find_first_not_of("0123456789") != std::string::npos)
            throw Error(ExitCode::usage, location + ": the port after the server must be a number");
    }
    n.server = authority;
    if (n.server.empty() || n.path.empty())
        throw Error(ExitCode::usage, location + ": write nfs4://server/export/path");
    if (authority.find_first_of(" ,") != std::string::npos || n.path.find(',') != std::string::npos)
        throw Error(ExitCode::usage, location + ": the server or path holds a character mount cannot take");
    return n;
}

Nfs4Mount::Nfs4Mount(const Nfs4Location& where) : mount_point_(free_mount_point()) {
    // retry=0: one attempt, so a wrong server or export is said at once instead of after
    // mount.nfs's two minutes of retrying.
    std::string options = "vers=4,retry=0" + (where.port.empty() ? "" : ",port=" + where.port);
    std::vector<std::string> argv{"mount", "-t", "nfs4", "-o", options, where.server + ":" + where.path, mount_point_};
    log::info("mounting " + where.url() + " (NFSv4, by the kernel) at " + mount_point_);
    ToolResult r = run_tool(argv, ExitCode::io_error);
    if (r.exit_status != 0) {
        ::rmdir(mount_point_.c_str());
        std::string said = r.output;
        while (!said.empty() && said.back() == '\n') said.pop_back();
        throw Error(ExitCode::io_error, "cannot mount " + where.url() + " (export " + where.path + " on server " +
                                            where.server + ", NFSv4 through the kernel): " + said);
    }
}

Nfs4Mount::~Nfs4Mount() {
    log::info("unmounting " + mount_point_);
    if (::umount2(mount_point_.c_str(), 0) != 0) {
        // Something (a shell) still uses it: detach now, the kernel finishes later.
        log::warn(mount_point_ + ": unmount failed (" + std::string(std::strerror(errno)) + "); detaching it lazily");
        ::umount2(mount_point_.c_str(), MNT_DETACH);
    }
    ::rmdir(mount_point_.c_str());
}

Nfs4Repository::Nfs4Repository(const std::string& location) : Nfs4Repository(parse_nfs4_location(location)) {}

Nfs4Repository::Nfs4Repository(const Nfs4Location& where)
    : Nfs4Mount(where), LocalRepository(mount_point()), url_(where.url()) {}

}  // namespace kura
