// Listing interfaces from a fake /sys/class/net, and the checks done before anything runs.
#include "tui/network_setup.h"

#include "core/error.h"
#include "ptable_support.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace kura::tui {
namespace {

void nic(const test::TempDir& dir, const std::string& name, const std::string& type, const std::string& address,
         const std::string& operstate, const std::string& carrier) {
    std::string d = dir.file(name);
    std::filesystem::create_directories(d);
    test::write_text(d + "/type", type + "\n");
    test::write_text(d + "/address", address + "\n");
    test::write_text(d + "/operstate", operstate + "\n");
    if (!carrier.empty()) test::write_text(d + "/carrier", carrier + "\n");
}

TEST(NetworkSetup, ListsInterfacesFromSysfs) {
    test::TempDir sys;
    nic(sys, "enp1s0", "1", "52:54:00:12:34:56", "up", "1");
    nic(sys, "eth1", "1", "52:54:00:ab:cd:ef", "down", "");  // carrier unreadable while down
    nic(sys, "tap0", "1", "aa:bb:cc:dd:ee:ff", "unknown", "1");
    nic(sys, "loop", "772", "00:00:00:00:00:00", "unknown", "");
    auto list = list_network_interfaces(sys.path());
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(list[0].name, "enp1s0");
    EXPECT_EQ(list[0].mac, "52:54:00:12:34:56");
    EXPECT_TRUE(list[0].link_up);
    EXPECT_FALSE(list[0].loopback);
    EXPECT_EQ(list[1].name, "eth1");
    EXPECT_FALSE(list[1].link_up);
    EXPECT_EQ(list[2].name, "loop");
    EXPECT_TRUE(list[2].loopback);
    EXPECT_TRUE(list[2].link_up);
    EXPECT_EQ(list[2].mac, "");
    EXPECT_EQ(list[3].name, "tap0");
    EXPECT_TRUE(list[3].link_up);
}

TEST(NetworkSetup, MalformedManualSettingsAreRefusedBeforeAnythingRuns) {
    NetworkSettings s;
    s.interface = "kura-nonexistent0";
    s.mode = AddressMode::manual;
    for (auto [address, gateway, dns] : {std::tuple{"192.168.1.5", "", ""}, std::tuple{"192.168.1.5/24", "gw", ""},
                                         std::tuple{"192.168.1.5/24", "", "8.8.8"}}) {
        s.address = address;
        s.gateway = gateway;
        s.dns = dns;
        try {
            apply_network_settings(s, "/nonexistent/resolv.conf");
            ADD_FAILURE() << address << " accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ExitCode::usage) << e.what();
        }
    }
    s.interface = "";
    s.address = "192.168.1.5/24";
    EXPECT_THROW(apply_network_settings(s, "/nonexistent/resolv.conf"), Error);
}

TEST(NetworkSetup, KeepDoesNothing) {
    NetworkSettings s;
    s.mode = AddressMode::keep;
    EXPECT_NO_THROW(apply_network_settings(s, "/nonexistent/resolv.conf"));
}

}  // namespace
}  // namespace kura::tui
