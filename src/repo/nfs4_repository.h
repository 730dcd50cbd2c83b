// A repository on an NFSv4 export that the kernel mounts: `--repo nfs4://server[:port]/export/path`.
// libnfs 4.0 (Debian 12) reads NFSv4 but cannot write it, so kura lets the kernel's NFS
// client mount the export (mount.nfs, `-o vers=4,retry=0[,port=N]`) at /run/kura/repo-nfs4
// and uses it as a local directory; the mount is undone when the repository is destroyed -
// also when the operation fails or is interrupted, as cancellation unwinds the stack.
#pragma once

#include "repo/local_repository.h"

#include <string>

namespace kura {

struct Nfs4Location {
    std::string server;  // host or address, with [ ] for IPv6
    std::string port;    // empty: 2049
    std::string path;    // /export/path, no trailing '/'
    std::string url() const;  // nfs4://server[:port]/export/path
};

// Throws Error(usage) naming what is wrong with the location.
Nfs4Location parse_nfs4_location(const std::string& location);

// Holds the kernel mount; a base of Nfs4Repository so it is made before, and undone after,
// the LocalRepository that works inside it.
class Nfs4Mount {
public:
    explicit Nfs4Mount(const Nfs4Location& where);
    ~Nfs4Mount();
    Nfs4Mount(const Nfs4Mount&) = delete;
    Nfs4Mount& operator=(const Nfs4Mount&) = delete;

    const std::string& mount_point() const { return mount_point_; }

private:
    std::string mount_point_;
};

class Nfs4Repository : private Nfs4Mount, public LocalRepository {
public:
    explicit Nfs4Repository(const std::string& location);
    std::string describe() const override { return url_; }
    // The directory the export is mounted on: what kura-menu hands its jobs as --repo.
    using Nfs4Mount::mount_point;

private:
    explicit Nfs4Repository(const Nfs4Location& where);
    std::string url_;
};

}  // namespace kura
