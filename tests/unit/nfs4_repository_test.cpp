// nfs4:// locations: what is parsed from them, and what is refused before anything is
// mounted. This host's kernel has no NFS client, so a real mount is not tried here beyond
// the refusal a failing mount gives (the live system's e2e tests mount one).
#include "repo/nfs4_repository.h"

#include "core/error.h"
#include "device/mount_table.h"
#include "repo/open_repository.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

namespace kura {
namespace {

TEST(Nfs4Location, ServerPortAndPathAreTakenApart) {
    Nfs4Location plain = parse_nfs4_location("nfs4://nas.example/srv/images/");
    EXPECT_EQ(plain.server, "nas.example");
    EXPECT_EQ(plain.port, "");
    EXPECT_EQ(plain.path, "/srv/images");
    EXPECT_EQ(plain.url(), "nfs4://nas.example/srv/images");

    Nfs4Location ported = parse_nfs4_location("nfs4://10.0.0.5:20490/export");
    EXPECT_EQ(ported.server, "10.0.0.5");
    EXPECT_EQ(ported.port, "20490");
    EXPECT_EQ(ported.path, "/export");
    EXPECT_EQ(ported.url(), "nfs4://10.0.0.5:20490/export");

    Nfs4Location v6 = parse_nfs4_location("nfs4://[fd00::5]/export");
    EXPECT_EQ(v6.server, "[fd00::5]");
    EXPECT_EQ(v6.port, "");
    Nfs4Location v6_ported = parse_nfs4_location("nfs4://[fd00::5]:2049/export");
    EXPECT_EQ(v6_ported.server, "[fd00::5]");
    EXPECT_EQ(v6_ported.port, "2049");

    // The root of an export is a path too.
    EXPECT_EQ(parse_nfs4_location("nfs4://nas/").path, "/");
}

void expect_refused(const std::string& location, const std::string& said) {
    try {
        parse_nfs4_location(location);
        ADD_FAILURE() << location << " accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::usage) << location;
        EXPECT_EQ(std::string(e.what()), location + ": " + said);
    }
}

TEST(Nfs4Location, MalformedLocationsAreRefusedSayingWhy) {
    expect_refused("nfs4://", "write nfs4://server/export/path");
    expect_refused("nfs4://server", "write nfs4://server/export/path");
    expect_refused("nfs4:///export", "write nfs4://server/export/path");
    expect_refused("nfs4://server:x/export", "the port after the server must be a number");
    expect_refused("nfs4://server:/export", "the port after the server must be a number");
    expect_refused("nfs4://server/ex,port", "the server or path holds a character mount cannot take");
    expect_refused("nfs4://a b/export", "the server or path holds a character mount cannot take");
    expect_refused("nfs4://nas/srv?vers=4.2", "nfs4:// takes no ?options (the kernel's mount chooses them)");
}

bool mounted_under_run_kura() {
    const MountTable table = MountTable::load();
    for (const auto& m : table.entries())
        if (m.mount_point.rfind("/run/kura/repo-nfs4", 0) == 0) return true;
    return false;
}

TEST(Nfs4Repository, IsOneRowOfTheBackendsTable) {
    // The table hands nfs4:// to this backend: a malformed one is refused by its parser.
    try {
        open_repository("nfs4://server:x/export");
        FAIL() << "opened";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::usage);
        EXPECT_STREQ(e.what(), "nfs4://server:x/export: the port after the server must be a number");
    }
}

TEST(Nfs4Repository, AMountThatFailsSaysWhatAndLeavesNothingMounted) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
    if (mounted_under_run_kura()) GTEST_SKIP() << "an NFSv4 repository is mounted here already";
    const bool mount_point_was_there = std::filesystem::exists("/run/kura/repo-nfs4");
    // Nothing serves NFS on this port of 127.0.0.1: the one attempt (retry=0) fails at once.
    try {
        open_repository("nfs4://127.0.0.1:9/kura-no-export");
        FAIL() << "mounted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::io_error);
        EXPECT_EQ(std::string(e.what()).rfind("cannot mount nfs4://127.0.0.1:9/kura-no-export (export "
                                              "/kura-no-export on server 127.0.0.1, NFSv4 through the kernel): ",
                                              0),
                  0u)
            << e.what();
    }
    EXPECT_FALSE(mounted_under_run_kura());
    if (!mount_point_was_there) {
        EXPECT_FALSE(std::filesystem::exists("/run/kura/repo-nfs4")) << "the mount point was left behind";
    }
}

}  // namespace
}  // namespace kura
