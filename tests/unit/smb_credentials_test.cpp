// Where an SMB password comes from, now that the front hands everything over in
// RepositoryOptions: the front's password before the credentials file's, the URL's user
// and domain before the file's, and the front's ask callback only when nothing gave one.
#include "repo/smb_credentials.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace kura {
namespace {

class SmbCredentialsTest : public ::testing::Test {
protected:
    void SetUp() override {
        file_ = std::filesystem::temp_directory_path() / ("kura-smb-cred-" + std::to_string(::getpid()));
        std::ofstream(file_) << "# smbclient format\nusername = OFFICE/filer\npassword = from-file\n";
    }
    void TearDown() override { std::filesystem::remove(file_); }

    // An ask callback that records what it was asked and answers `answer`.
    AskFunction answering(std::optional<std::string> answer) {
        return [this, answer](const AskRequest& q) {
            asked_.push_back(q);
            return answer;
        };
    }

    std::string file_;
    std::vector<AskRequest> asked_;
};

TEST_F(SmbCredentialsTest, TheFrontsPasswordComesBeforeTheFilesAndNothingIsAsked) {
    RepositoryOptions options;
    options.smb_credentials_file = file_;
    options.smb_password = "from-front";
    options.ask = answering("typed");
    SmbCredentials c = resolve_smb_credentials("", "", "smb://server/share", options);
    EXPECT_EQ(c.user, "filer");
    EXPECT_EQ(c.domain, "OFFICE");
    EXPECT_EQ(c.password, "from-front");
    EXPECT_TRUE(asked_.empty());

    options.smb_password.clear();
    c = resolve_smb_credentials("HQ", "backup", "smb://HQ;backup@server/share", options);
    EXPECT_EQ(c.user, "backup");
    EXPECT_EQ(c.domain, "HQ");
    EXPECT_EQ(c.password, "from-file");
    EXPECT_TRUE(asked_.empty());
}

TEST_F(SmbCredentialsTest, OnlyAMissingPasswordIsAskedForThroughTheFront) {
    RepositoryOptions options;
    options.ask = answering("typed");
    SmbCredentials c = resolve_smb_credentials("", "backup", "smb://backup@server/share", options);
    EXPECT_EQ(c.password, "typed");
    ASSERT_EQ(asked_.size(), 1u);
    EXPECT_EQ(asked_[0].kind, AskRequest::Kind::secret);
    EXPECT_EQ(asked_[0].id, "smb.password");
    EXPECT_EQ(asked_[0].prompt, "SMB password for backup on smb://backup@server/share: ");
    EXPECT_EQ(asked_[0].args.at("share"), "smb://backup@server/share");

    // An empty answer is an answer (an account without a password).
    options.ask = answering("");
    EXPECT_EQ(resolve_smb_credentials("", "backup", "smb://backup@server/share", options).password, "");
}

TEST_F(SmbCredentialsTest, NobodyToAskIsRefusedSayingWhereAPasswordCanComeFrom) {
    const std::string said = "no SMB password for backup on smb://backup@server/share: set KURA_SMB_PASSWORD, give "
                             "--smb-credentials FILE, or run on a terminal";
    for (AskFunction ask : {AskFunction{}, answering(std::nullopt)}) {
        RepositoryOptions options;
        options.ask = ask;
        try {
            resolve_smb_credentials("", "backup", "smb://backup@server/share", options);
            ADD_FAILURE() << "no password, yet resolved";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ExitCode::usage);
            EXPECT_EQ(std::string(e.what()), said);
        }
    }
}

TEST_F(SmbCredentialsTest, ThePasswordLeavesTheEnvironmentBlock) {
    ::setenv("KURA_SMB_PASSWORD", "env-secret", 1);
    char* value = std::getenv("KURA_SMB_PASSWORD");
    EXPECT_EQ(take_smb_password_from_environment(value), "env-secret");
    EXPECT_EQ(std::getenv("KURA_SMB_PASSWORD"), nullptr);
    EXPECT_EQ(take_smb_password_from_environment(nullptr), "");
}

}  // namespace
}  // namespace kura
