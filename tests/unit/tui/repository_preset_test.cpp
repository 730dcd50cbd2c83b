// kura.repo= / kura-menu --repo taken apart into the menu's repository fields: every kind,
// and what is refused (with the fields that did parse kept for the operator to correct).
#include "tui/catalog.h"
#include "tui/repository_preset.h"

#include <gtest/gtest.h>

namespace kura::tui {
namespace {

TEST(RepositoryPreset, ADirectory) {
    RepositoryPreset p = parse_repository_preset("/mnt/images");
    EXPECT_EQ(p.kind, "mounted_dir");
    EXPECT_EQ(p.directory, "/mnt/images");
    EXPECT_EQ(p.location, "/mnt/images");
    EXPECT_EQ(p.problem, "");
}

TEST(RepositoryPreset, ARelativeDirectoryIsRefusedButKept) {
    RepositoryPreset p = parse_repository_preset("images");
    EXPECT_EQ(p.kind, "mounted_dir");
    EXPECT_EQ(p.directory, "images");
    EXPECT_EQ(p.problem, "error.path_absolute");
    EXPECT_EQ(p.location, "");
}

TEST(RepositoryPreset, DevicesByNamePathLabelAndUuid) {
    for (const char* device : {"sdb1", "/dev/sdb1", "LABEL=backup", "UUID=1234-ABCD"}) {
        RepositoryPreset p = parse_repository_preset(std::string("dev:") + device);
        EXPECT_EQ(p.kind, "local_dev") << device;
        EXPECT_EQ(p.device, device);
        EXPECT_EQ(p.location, std::string("dev:") + device);
        EXPECT_EQ(p.problem, "") << device;
    }
    for (const char* bad : {"dev:", "dev:LABEL=", "dev:UUID=", "dev:sd b1"}) {
        RepositoryPreset p = parse_repository_preset(bad);
        EXPECT_EQ(p.kind, "local_dev") << bad;
        EXPECT_EQ(p.problem, "error.preset_device") << bad;
        EXPECT_EQ(p.location, "") << bad;
    }
}

TEST(RepositoryPreset, NfsWithPortDirectoryAndOptions) {
    RepositoryPreset p = parse_repository_preset("nfs://10.0.0.5:2049/export/images?uid=1000&gid=1000");
    EXPECT_EQ(p.kind, "nfs_server");
    EXPECT_EQ(p.server, "10.0.0.5:2049");
    EXPECT_EQ(p.nfs_export, "/export/images");
    EXPECT_FALSE(p.nfs_v4);
    EXPECT_EQ(p.nfs_options, "uid=1000&gid=1000");
    EXPECT_EQ(p.location, "nfs://10.0.0.5:2049/export/images?uid=1000&gid=1000");
    EXPECT_EQ(p.problem, "");
}

TEST(RepositoryPreset, Nfs4) {
    RepositoryPreset p = parse_repository_preset("NFS4://nas.example/srv/images");
    EXPECT_EQ(p.kind, "nfs_server");
    EXPECT_TRUE(p.nfs_v4);
    EXPECT_EQ(p.server, "nas.example");
    EXPECT_EQ(p.nfs_export, "/srv/images");
    EXPECT_EQ(p.location, "nfs4://nas.example/srv/images");
    EXPECT_EQ(parse_repository_preset("nfs4://nas/srv?vers=4.2").problem, "error.preset_nfs4_options");
}

TEST(RepositoryPreset, NfsProblemsKeepWhatParsed) {
    RepositoryPreset no_export = parse_repository_preset("nfs://10.0.0.5");
    EXPECT_EQ(no_export.problem, "error.preset_export");
    EXPECT_EQ(no_export.server, "10.0.0.5");
    RepositoryPreset bad_server = parse_repository_preset("nfs://10.0.0.300/images");
    EXPECT_EQ(bad_server.problem, "error.server_invalid");
    EXPECT_EQ(bad_server.nfs_export, "/images");
    EXPECT_EQ(bad_server.location, "");
    EXPECT_EQ(parse_repository_preset("nfs://nas/a/../b").problem, "error.path_dotdot");
    EXPECT_EQ(parse_repository_preset("nfs://nas:0/images").problem, "error.port_invalid");
}

TEST(RepositoryPreset, SmbWithDomainPortDirectoryAndProtocol) {
    RepositoryPreset p = parse_repository_preset("smb://OFFICE;backup@10.0.0.6:4450/images/web?protocol=smb3");
    EXPECT_EQ(p.kind, "samba_server");
    EXPECT_EQ(p.server, "10.0.0.6:4450");
    EXPECT_EQ(p.smb_share, "images/web");
    EXPECT_EQ(p.smb_user_text, "OFFICE\\backup");
    EXPECT_EQ(p.smb_domain, "OFFICE");
    EXPECT_EQ(p.smb_user, "backup");
    EXPECT_EQ(p.smb_protocol, "SMB3");
    EXPECT_EQ(p.location, "smb://OFFICE;backup@10.0.0.6:4450/images/web?protocol=SMB3");
    EXPECT_EQ(p.problem, "");

    RepositoryPreset plain = parse_repository_preset("smb://backup@nas/images");
    EXPECT_EQ(plain.smb_user_text, "backup");
    EXPECT_EQ(plain.smb_domain, "");
    EXPECT_EQ(plain.smb_protocol, "");
    EXPECT_EQ(plain.location, "smb://backup@nas/images");
}

TEST(RepositoryPreset, SmbProblemsKeepWhatParsedButNeverAPassword) {
    RepositoryPreset no_user = parse_repository_preset("smb://nas/images");
    EXPECT_EQ(no_user.problem, "error.preset_smb_user");
    EXPECT_EQ(no_user.server, "nas");
    EXPECT_EQ(no_user.smb_share, "images");

    RepositoryPreset password = parse_repository_preset("smb://backup:secret@nas/images");
    EXPECT_EQ(password.problem, "error.preset_smb_password");
    EXPECT_EQ(password.smb_user_text, "backup");
    EXPECT_EQ(password.server, "nas");
    EXPECT_EQ(password.location, "");

    EXPECT_EQ(parse_repository_preset("smb://backup@nas/images?protocol=NT1").problem, "error.preset_smb_option");
    EXPECT_EQ(parse_repository_preset("smb://backup@nas/images?seal=yes").problem, "error.preset_smb_option");
    EXPECT_EQ(parse_repository_preset("smb://backup@nas").problem, "error.share_empty");
    EXPECT_EQ(parse_repository_preset("smb://backup@bad host/images").problem, "error.server_invalid");
}

TEST(RepositoryPreset, UnknownSchemes) {
    RepositoryPreset p = parse_repository_preset("ftp://nas/images");
    EXPECT_EQ(p.kind, "");
    EXPECT_EQ(p.problem, "error.preset_scheme");
}

TEST(RepositoryPreset, EveryProblemHasAMessageInBothLanguages) {
    for (const char* text : {"images", "dev:", "nfs://nas", "nfs4://nas/x?a=b", "smb://nas/x", "smb://u:p@nas/x",
                             "smb://u@nas/x?a=b", "ftp://x/y"}) {
        std::string key = parse_repository_preset(text).problem;
        ASSERT_FALSE(key.empty()) << text;
        EXPECT_EQ(tr(Language::en, key).find("??"), std::string::npos) << key;
        EXPECT_EQ(tr(Language::ja, key).find("??"), std::string::npos) << key;
    }
}

TEST(RepositoryPreset, APasswordInTheLocationIsNotRepeated) {
    EXPECT_EQ(redacted_location("smb://OFFICE;backup:secret@nas/images"), "smb://OFFICE;backup:***@nas/images");
    EXPECT_EQ(redacted_location("smb://backup@[fd00::1]:445/images"), "smb://backup@[fd00::1]:445/images");
    EXPECT_EQ(redacted_location("nfs://nas:2049/images"), "nfs://nas:2049/images");
    EXPECT_EQ(redacted_location("/home/partimag"), "/home/partimag");
}

}  // namespace
}  // namespace kura::tui
