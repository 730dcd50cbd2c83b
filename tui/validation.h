// What the operator types, checked before it is used: image names, host names and
// addresses, export paths, share names. Each check returns an empty string when the text is
// fine, else the catalog key of the message that explains what is wrong.
#pragma once

#include <cstdint>
#include <string>

namespace kura::tui {

// An image directory name as Clonezilla accepts it and a shell does not mangle: letters,
// digits and . _ - + only, not starting with '.' or '-', at most 100 characters.
std::string check_image_name(const std::string& name);

// "server", "server:port", "192.168.1.10", "[fd00::1]:445": a host name (RFC 1123 labels),
// an IPv4 address or a bracketed IPv6 address, with an optional port 1-65535.
std::string check_server(const std::string& server);

// An IPv4 address with its prefix length ("192.168.1.5/24").
std::string check_ipv4_with_prefix(const std::string& text);
// An IPv4 address; empty is allowed when `optional`.
std::string check_ipv4(const std::string& text, bool optional);

// An absolute path on a server: starts with '/', no control characters, no ".." parts.
std::string check_remote_path(const std::string& path);

// "share" or "share/dir/...": a share name and an optional path under it.
std::string check_share_path(const std::string& text);

// "user" or "DOMAIN\user" (also "DOMAIN/user"); split into its parts.
std::string check_smb_user(const std::string& text, std::string& domain, std::string& user);

// An absolute local directory path.
std::string check_local_directory(const std::string& path);

}  // namespace kura::tui
