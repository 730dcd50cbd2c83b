// The machine's network as the menu's "network" step needs it: the interfaces with their
// MAC, link and IPv4 addresses, and bringing one up by DHCP or with a fixed address - the
// way the live system's own scripts do, with `ip` and busybox's `udhcpc`. Whether this
// machine's network may be changed at all is the caller's decision (EngineServices allows
// it only on the kura live system).
#pragma once

#include "tui/menu_services.h"

#include <string>
#include <vector>

namespace kura::tui {

// Every interface in `sys_class_net` (sorted by name, loopback included and flagged):
// MAC from `address` (empty for loopback), link from `operstate` ("up", or "unknown" with
// `carrier` 1, as virtual NICs report it), loopback from `type` 772 (ARPHRD_LOOPBACK) or
// the name lo; IPv4 addresses as configured now (getifaddrs), "a.b.c.d/prefix". The
// addresses are looked up by name, so with a fake `sys_class_net` only names that exist
// on this machine get any.
std::vector<NetworkInterface> list_network_interfaces(const std::string& sys_class_net = "/sys/class/net");

// keep: nothing. dhcp: `ip link set IF up`, then `udhcpc -i IF -n -q -t 5` (busybox's,
// also through `busybox udhcpc`), or `dhclient -1 IF` where there is no udhcpc; succeeds
// only when IF then has an IPv4 address. manual: `ip link set IF up`, `ip addr replace
// ADDR dev IF`, `ip route replace default via GW dev IF` when a gateway is given, and
// /etc/resolv.conf `nameserver DNS` when a DNS server is given. Every value is checked
// before anything runs. Throws Error naming the interface and what failed (usage for a
// malformed address, io_error for no DHCP answer or a failing command).
void apply_network_settings(const NetworkSettings& settings, const std::string& resolv_conf = "/etc/resolv.conf");

}  // namespace kura::tui
