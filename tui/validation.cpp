#include "tui/validation.h"

#include <arpa/inet.h>
#include <cctype>
#include <vector>

namespace kura::tui {
namespace {

bool has_control_character(const std::string& text) {
    for (unsigned char c : text)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

bool is_ipv4(const std::string& text) {
    in_addr addr{};
    return inet_pton(AF_INET, text.c_str(), &addr) == 1;
}

bool is_host_name(const std::string& text) {
    if (text.empty() || text.size() > 253) return false;
    std::size_t label_start = 0;
    while (label_start <= text.size()) {
        std::size_t dot = text.find('.', label_start);
        std::size_t end = dot == std::string::npos ? text.size() : dot;
        std::size_t length = end - label_start;
        if (length == 0 || length > 63) return false;
        for (std::size_t i = label_start; i < end; ++i) {
            unsigned char c = static_cast<unsigned char>(text[i]);
            if (!std::isalnum(c) && c != '-') return false;
        }
        if (text[label_start] == '-' || text[end - 1] == '-') return false;
        if (dot == std::string::npos) break;
        label_start = dot + 1;
    }
    return true;
}

bool is_port(const std::string& text) {
    if (text.empty() || text.size() > 5) return false;
    for (char c : text)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    long port = std::stol(text);
    return port >= 1 && port <= 65535;
}

}  // namespace

std::string check_image_name(const std::string& name) {
    if (name.empty()) return "error.image_name_empty";
    if (name.size() > 100) return "error.image_name_long";
    if (name[0] == '.' || name[0] == '-') return "error.image_name_chars";
    for (unsigned char c : name)
        if (!std::isalnum(c) && c != '.' && c != '_' && c != '-' && c != '+') return "error.image_name_chars";
    return "";
}

std::string check_server(const std::string& server) {
    if (server.empty()) return "error.server_empty";
    std::string host = server, port;
    if (server[0] == '[') {
        std::size_t close = server.find(']');
        if (close == std::string::npos) return "error.server_invalid";
        host = server.substr(1, close - 1);
        std::string rest = server.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') return "error.server_invalid";
            port = rest.substr(1);
            if (!is_port(port)) return "error.port_invalid";
        }
        in6_addr addr6{};
        return inet_pton(AF_INET6, host.c_str(), &addr6) == 1 ? "" : "error.server_invalid";
    }
    std::size_t colon = server.find(':');
    if (colon != std::string::npos) {
        host = server.substr(0, colon);
        port = server.substr(colon + 1);
        if (!is_port(port)) return "error.port_invalid";
    }
    bool all_digits_and_dots = host.find_first_not_of("0123456789.") == std::string::npos;
    if (all_digits_and_dots) return is_ipv4(host) ? "" : "error.server_invalid";
    return is_host_name(host) ? "" : "error.server_invalid";
}

std::string check_ipv4_with_prefix(const std::string& text) {
    std::size_t slash = text.find('/');
    if (slash == std::string::npos) return "error.address_prefix";
    std::string prefix = text.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 2 || prefix.find_first_not_of("0123456789") != std::string::npos)
        return "error.address_prefix";
    int bits = std::stoi(prefix);
    if (bits < 1 || bits > 32) return "error.address_prefix";
    return is_ipv4(text.substr(0, slash)) ? "" : "error.address_invalid";
}

std::string check_ipv4(const std::string& text, bool optional) {
    if (text.empty()) return optional ? "" : "error.address_invalid";
    return is_ipv4(text) ? "" : "error.address_invalid";
}

std::string check_remote_path(const std::string& path) {
    if (path.empty() || path[0] != '/') return "error.path_absolute";
    if (has_control_character(path) || path.find('?') != std::string::npos) return "error.path_chars";
    std::size_t start = 0;
    while (start < path.size()) {
        std::size_t slash = path.find('/', start);
        std::size_t end = slash == std::string::npos ? path.size() : slash;
        if (path.compare(start, end - start, "..") == 0) return "error.path_dotdot";
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return "";
}

std::string check_share_path(const std::string& text) {
    if (text.empty() || text[0] == '/') return "error.share_empty";
    return check_remote_path("/" + text);
}

std::string check_smb_user(const std::string& text, std::string& domain, std::string& user) {
    domain.clear();
    user = text;
    std::size_t separator = text.find_first_of("\\/");
    if (separator != std::string::npos) {
        domain = text.substr(0, separator);
        user = text.substr(separator + 1);
        if (domain.empty()) return "error.user_invalid";
    }
    if (user.empty()) return "error.user_empty";
    if (has_control_character(text) || text.find_first_of("@:;?#") != std::string::npos) return "error.user_invalid";
    return "";
}

std::string check_local_directory(const std::string& path) {
    if (path.empty() || path[0] != '/') return "error.path_absolute";
    if (has_control_character(path)) return "error.path_chars";
    return "";
}

}  // namespace kura::tui
