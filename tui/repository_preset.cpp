#include "tui/repository_preset.h"

#include "tui/validation.h"

#include <algorithm>
#include <cctype>

namespace kura::tui {
namespace {

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
    return text;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// Keeps the first problem: it is the one the operator meets first reading left to right.
void note(RepositoryPreset& p, const std::string& problem) {
    if (p.problem.empty()) p.problem = problem;
}

// "server[:port]/path?query" -> authority, path (from its '/'), query (without '?').
void split_url_rest(const std::string& rest, std::string& authority, std::string& path, std::string& query) {
    std::string before_query = rest;
    if (std::size_t q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        before_query = rest.substr(0, q);
    }
    std::size_t slash = before_query.find('/');
    authority = before_query.substr(0, slash);
    path = slash == std::string::npos ? "" : before_query.substr(slash);
}

void parse_nfs(RepositoryPreset& p, const std::string& scheme, const std::string& rest) {
    p.kind = "nfs_server";
    p.nfs_v4 = scheme == "nfs4";
    std::string query;
    split_url_rest(rest, p.server, p.nfs_export, query);
    if (!p.nfs_v4) p.nfs_options = query;
    note(p, check_server(p.server));
    if (p.nfs_export.empty() || p.nfs_export == "/") note(p, "error.preset_export");
    note(p, check_remote_path(p.nfs_export));
    // The menu mounts nfs4:// with the kernel, whose options it chooses itself.
    if (p.nfs_v4 && !query.empty()) note(p, "error.preset_nfs4_options");
    if (p.problem.empty())
        p.location = scheme + "://" + p.server + p.nfs_export + (p.nfs_options.empty() ? "" : "?" + p.nfs_options);
}

void parse_smb(RepositoryPreset& p, const std::string& rest) {
    p.kind = "samba_server";
    std::string authority, path, query;
    split_url_rest(rest, authority, path, query);
    std::size_t at = authority.rfind('@');
    std::string user_info = at == std::string::npos ? "" : authority.substr(0, at);
    p.server = at == std::string::npos ? authority : authority.substr(at + 1);
    // A password in the location would end up in the boot line, logs and the image's
    // Info-saved-by-cmd.txt: refused, and not kept in any field either.
    bool password_given = false;
    if (std::size_t colon = user_info.find(':'); colon != std::string::npos) {
        user_info.resize(colon);
        password_given = true;
    }
    std::string domain, user = user_info;
    if (std::size_t semicolon = user_info.find(';'); semicolon != std::string::npos) {
        domain = user_info.substr(0, semicolon);
        user = user_info.substr(semicolon + 1);
    }
    p.smb_user_text = domain.empty() ? user : domain + "\\" + user;
    p.smb_share = path.empty() ? "" : path.substr(1);
    for (std::size_t start = 0; start < query.size();) {
        std::size_t amp = query.find('&', start);
        std::string option = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
        std::size_t equals = option.find('=');
        std::string name = lower(option.substr(0, equals));
        std::string value = equals == std::string::npos ? "" : upper(option.substr(equals + 1));
        if (name == "protocol" && (value == "SMB2" || value == "SMB3"))
            p.smb_protocol = value;
        else
            note(p, "error.preset_smb_option");
        if (amp == std::string::npos) break;
        start = amp + 1;
    }

    if (password_given) note(p, "error.preset_smb_password");
    if (user_info.empty()) note(p, "error.preset_smb_user");
    else note(p, check_smb_user(p.smb_user_text, p.smb_domain, p.smb_user));
    note(p, check_server(p.server));
    note(p, check_share_path(p.smb_share));
    // Built the way the menu's SMB steps build it, so both open the same thing.
    if (p.problem.empty())
        p.location = "smb://" + (p.smb_domain.empty() ? "" : p.smb_domain + ";") + p.smb_user + "@" + p.server + "/" +
                     p.smb_share + (p.smb_protocol.empty() ? "" : "?protocol=" + p.smb_protocol);
}

}  // namespace

RepositoryPreset parse_repository_preset(const std::string& text) {
    RepositoryPreset p;
    if (text.starts_with("dev:")) {
        p.kind = "local_dev";
        p.device = text.substr(4);
        bool bare_key = p.device == "LABEL=" || p.device == "UUID=";
        bool blank = std::any_of(p.device.begin(), p.device.end(),
                                 [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
        if (p.device.empty() || bare_key || blank) note(p, "error.preset_device");
        else p.location = text;
        return p;
    }
    std::size_t scheme_end = text.find("://");
    if (text.starts_with("/") || scheme_end == std::string::npos) {
        p.kind = "mounted_dir";
        p.directory = text;
        note(p, check_local_directory(text));
        if (p.problem.empty()) p.location = text;
        return p;
    }
    std::string scheme = lower(text.substr(0, scheme_end));
    std::string rest = text.substr(scheme_end + 3);
    if (scheme == "nfs" || scheme == "nfs4") parse_nfs(p, scheme, rest);
    else if (scheme == "smb") parse_smb(p, rest);
    else note(p, "error.preset_scheme");
    return p;
}

std::string redacted_location(const std::string& text) {
    std::size_t scheme_end = text.find("://");
    if (scheme_end == std::string::npos || lower(text.substr(0, scheme_end)) != "smb") return text;
    std::size_t start = scheme_end + 3;
    std::size_t end = text.find_first_of("/?", start);
    std::size_t at = text.rfind('@', end == std::string::npos ? std::string::npos : end);
    if (at == std::string::npos || at < start) return text;
    std::size_t colon = text.find(':', start);
    if (colon == std::string::npos || colon > at) return text;
    return text.substr(0, colon + 1) + "***" + text.substr(at);
}

}  // namespace kura::tui
