// What the operator types: accepted and refused examples for each kind of answer.
#include "tui/validation.h"

#include <gtest/gtest.h>

namespace kura::tui {
namespace {

TEST(Validation, ImageNames) {
    for (const char* good : {"2026-12-07-01-img", "web1_root.v2", "a+b", "X"})
        EXPECT_EQ(check_image_name(good), "") << good;
    EXPECT_EQ(check_image_name(""), "error.image_name_empty");
    EXPECT_EQ(check_image_name(std::string(101, 'a')), "error.image_name_long");
    for (const char* bad : {"my image", ".hidden", "-rf", "a/b", "a;b", "名前", "a\tb", "$HOME"})
        EXPECT_EQ(check_image_name(bad), "error.image_name_chars") << bad;
}

TEST(Validation, Servers) {
    for (const char* good : {"nas", "nas.example.com", "10.0.0.5", "10.0.0.5:2049", "127.0.0.1:4450", "[fd00::1]",
                             "[fd00::1]:445", "host-1"})
        EXPECT_EQ(check_server(good), "") << good;
    EXPECT_EQ(check_server(""), "error.server_empty");
    for (const char* bad : {"bad host", "10.0.0.300", "-nas", "nas-", "a..b", "[fd00::1", "[zz::1]", "nas_1"})
        EXPECT_EQ(check_server(bad), "error.server_invalid") << bad;
    for (const char* bad : {"nas:0", "nas:65536", "nas:", "nas:http"}) EXPECT_EQ(check_server(bad), "error.port_invalid") << bad;
}

TEST(Validation, Addresses) {
    EXPECT_EQ(check_ipv4_with_prefix("192.168.1.50/24"), "");
    EXPECT_EQ(check_ipv4_with_prefix("192.168.1.50"), "error.address_prefix");
    EXPECT_EQ(check_ipv4_with_prefix("192.168.1.50/33"), "error.address_prefix");
    EXPECT_EQ(check_ipv4_with_prefix("192.168.1.500/24"), "error.address_invalid");
    EXPECT_EQ(check_ipv4_with_prefix("10.0.0.1/32"), "");
    EXPECT_EQ(check_ipv4_with_prefix("192.168.1/24"), "error.address_invalid");
    EXPECT_EQ(check_ipv4_with_prefix("192.168.1.5/"), "error.address_prefix");
    EXPECT_EQ(check_ipv4_with_prefix("192.168.1.5/2x"), "error.address_prefix");
    EXPECT_EQ(check_ipv4("dns.example", false), "error.address_invalid");
    EXPECT_EQ(check_ipv4("", true), "");
    EXPECT_EQ(check_ipv4("", false), "error.address_invalid");
    EXPECT_EQ(check_ipv4("10.0.0.1", false), "");
    EXPECT_EQ(check_ipv4("10.0.0", false), "error.address_invalid");
}

TEST(Validation, PathsSharesAndUsers) {
    EXPECT_EQ(check_remote_path("/home/partimag"), "");
    EXPECT_EQ(check_remote_path("home"), "error.path_absolute");
    EXPECT_EQ(check_remote_path("/a/../etc"), "error.path_dotdot");
    EXPECT_EQ(check_remote_path("/a?b"), "error.path_chars");
    EXPECT_EQ(check_share_path("images/servers"), "");
    EXPECT_EQ(check_share_path(""), "error.share_empty");
    EXPECT_EQ(check_share_path("/images"), "error.share_empty");
    std::string domain, user;
    EXPECT_EQ(check_smb_user("OFFICE\\backup", domain, user), "");
    EXPECT_EQ(domain, "OFFICE");
    EXPECT_EQ(user, "backup");
    EXPECT_EQ(check_smb_user("backup", domain, user), "");
    EXPECT_EQ(domain, "");
    EXPECT_EQ(check_smb_user("", domain, user), "error.user_empty");
    EXPECT_EQ(check_smb_user("a@b", domain, user), "error.user_invalid");
    EXPECT_EQ(check_local_directory("/mnt/usb"), "");
    EXPECT_EQ(check_local_directory("mnt"), "error.path_absolute");
}

}  // namespace
}  // namespace kura::tui
