// A repository given in advance (kura.repo= on the kernel command line, kura-menu --repo)
// taken apart into the answers of the menu's repository steps, so that the flow can open it
// at once and, when the operator goes back, show each field filled in. The syntax is
// `kura --repo`'s (docs/repositories.md) plus the menu's nfs4://.
#pragma once

#include <string>

namespace kura::tui {

struct RepositoryPreset {
    // The repo_kind item it belongs to: "mounted_dir", "local_dev", "nfs_server",
    // "samba_server"; empty when not even the kind could be told.
    std::string kind;
    std::string location;       // what to open; set only when `problem` is empty

    std::string directory;      // mounted_dir
    std::string device;         // local_dev: what follows dev: (sdb1, /dev/sdb1, LABEL=x, UUID=x)
    std::string server;         // "host[:port]" as the server steps take it
    std::string nfs_export;     // "/export[/dir]"
    bool nfs_v4 = false;
    // ?options of an nfs:// location (uid=N&gid=N...), without the '?': the NFS steps have
    // no field for them, but an export squashing root needs them on every opening.
    std::string nfs_options;
    std::string smb_share;      // "share[/dir]"
    std::string smb_user_text;  // "DOMAIN\user" or "user", as the smb_user step shows it
    std::string smb_domain, smb_user;
    std::string smb_protocol;   // "", "SMB3", "SMB2"

    // Catalog key of what is wrong (the fields above hold what parsed before it); empty
    // when the location can be opened.
    std::string problem;
};

RepositoryPreset parse_repository_preset(const std::string& text);

// The location with a password someone put in an smb:// URL replaced by "***", for logs and
// messages (the preset is refused, but it is still named).
std::string redacted_location(const std::string& text);

}  // namespace kura::tui
