#include "tui/network_setup.h"

#include "tui/validation.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

namespace kura::tui {
namespace {

constexpr int kArphrdLoopback = 772;  // <linux/if_arp.h> ARPHRD_LOOPBACK

std::string read_line(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

// name -> "a.b.c.d/prefix" for every IPv4 address configured now.
std::vector<std::pair<std::string, std::string>> ipv4_addresses() {
    std::vector<std::pair<std::string, std::string>> found;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return found;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !a->ifa_name) continue;
        char text[INET_ADDRSTRLEN] = {};
        const auto* address = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
        if (!::inet_ntop(AF_INET, &address->sin_addr, text, sizeof text)) continue;
        int prefix = 32;
        if (a->ifa_netmask)
            prefix = std::popcount(reinterpret_cast<const sockaddr_in*>(a->ifa_netmask)->sin_addr.s_addr);
        found.emplace_back(a->ifa_name, std::string(text) + "/" + std::to_string(prefix));
    }
    ::freeifaddrs(list);
    return found;
}

bool has_ipv4(const std::string& interface) {
    for (const auto& [name, address] : ipv4_addresses())
        if (name == interface) return true;
    return false;
}

// An executable on PATH, as posix_spawnp would find it.
bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    std::size_t from = 0;
    while (from <= dirs.size()) {
        std::size_t colon = dirs.find(':', from);
        std::string dir = dirs.substr(from, colon == std::string::npos ? std::string::npos : colon - from);
        from = colon == std::string::npos ? dirs.size() + 1 : colon + 1;
        if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    }
    return false;
}

std::string command_text(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s;
}

void run_step(const std::string& interface, const std::vector<std::string>& argv) {
    log::info("network: " + command_text(argv));
    ToolResult r = run_tool(argv, ExitCode::io_error);
    if (r.exit_status != 0)
        throw Error(ExitCode::io_error, interface + ": `" + command_text(argv) + "` failed (exit " +
                                            std::to_string(r.exit_status) + "): " + r.output);
}

void ask_dhcp(const std::string& interface) {
    std::vector<std::string> argv;
    // -n: give up rather than wait in the background; -q: exit once configured; -t 5:
    // five discover packets (about 15 s with busybox's default 3 s apart).
    if (on_path("udhcpc")) argv = {"udhcpc", "-i", interface, "-n", "-q", "-t", "5"};
    else if (on_path("busybox")) argv = {"busybox", "udhcpc", "-i", interface, "-n", "-q", "-t", "5"};
    else if (on_path("dhclient")) argv = {"dhclient", "-1", interface};
    else throw Error(ExitCode::io_error, interface + ": no DHCP client here (udhcpc, busybox or dhclient)");
    log::info("network: " + command_text(argv));
    ToolResult r = run_tool(argv, ExitCode::io_error);
    if (r.exit_status != 0 || !has_ipv4(interface))
        throw Error(ExitCode::io_error, interface + ": no address from DHCP (no DHCP server answered, or the cable "
                                                    "is not connected). " + argv.front() + " said: " + r.output);
}

void write_resolv_conf(const std::string& path, const std::string& dns) {
    std::ofstream out(path, std::ios::trunc);
    out << "# written by kura-menu\nnameserver " << dns << "\n";
    out.close();
    if (!out) throw Error(ExitCode::io_error, "cannot write " + path);
    log::info("network: " + path + ": nameserver " + dns);
}

}  // namespace

std::vector<NetworkInterface> list_network_interfaces(const std::string& sys_class_net) {
    std::vector<NetworkInterface> interfaces;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(sys_class_net, ec)) {
        NetworkInterface nic;
        nic.name = entry.path().filename().string();
        const std::filesystem::path dir = entry.path();
        nic.loopback = nic.name == "lo" || read_line(dir / "type") == std::to_string(kArphrdLoopback);
        if (!nic.loopback) nic.mac = read_line(dir / "address");
        std::string state = read_line(dir / "operstate");
        // carrier cannot be read (EINVAL) while the interface is down: then it is "".
        nic.link_up = nic.loopback || state == "up" || (state == "unknown" && read_line(dir / "carrier") == "1");
        interfaces.push_back(nic);
    }
    std::sort(interfaces.begin(), interfaces.end(),
              [](const NetworkInterface& a, const NetworkInterface& b) { return a.name < b.name; });
    for (const auto& [name, address] : ipv4_addresses())
        for (auto& nic : interfaces)
            if (nic.name == name) nic.addresses.push_back(address);
    return interfaces;
}

void apply_network_settings(const NetworkSettings& settings, const std::string& resolv_conf) {
    if (settings.mode == AddressMode::keep) return;
    const std::string& nic = settings.interface;
    if (nic.empty() || nic.find('/') != std::string::npos || nic == "." || nic == "..")
        throw Error(ExitCode::usage, "no network interface chosen");
    if (settings.mode == AddressMode::manual) {
        if (!check_ipv4_with_prefix(settings.address).empty())
            throw Error(ExitCode::usage, "'" + settings.address + "' is not an IPv4 address with its prefix length "
                                                                  "(such as 192.168.1.5/24)");
        if (!settings.gateway.empty() && !check_ipv4(settings.gateway, false).empty())
            throw Error(ExitCode::usage, "gateway '" + settings.gateway + "' is not an IPv4 address");
        if (!settings.dns.empty() && !check_ipv4(settings.dns, false).empty())
            throw Error(ExitCode::usage, "DNS server '" + settings.dns + "' is not an IPv4 address");
    }
    run_step(nic, {"ip", "link", "set", nic, "up"});
    if (settings.mode == AddressMode::dhcp) {
        ask_dhcp(nic);
        log::info("network: " + nic + " configured by DHCP");
        return;
    }
    run_step(nic, {"ip", "addr", "replace", settings.address, "dev", nic});
    if (!settings.gateway.empty()) run_step(nic, {"ip", "route", "replace", "default", "via", settings.gateway, "dev", nic});
    if (!settings.dns.empty()) write_resolv_conf(resolv_conf, settings.dns);
    log::info("network: " + nic + " set to " + settings.address);
}

}  // namespace kura::tui
