// A repository given in advance (FlowOptions::repository, from kura.repo= or --repo): opened
// right after the keyboard, through the network steps or the SMB password when it needs
// them; Back leads to repo_kind with every field filled in from it; a preset that does not
// parse or does not open is explained there.
#include "flow_fixture.h"

#include <gtest/gtest.h>

namespace kura::tui {
namespace {

using testing::index_of;

class FlowPresetTest : public testing::FlowTest {
protected:
    FlowOptions preset(const std::string& location) {
        FlowOptions o = options();
        o.language = Language::en;
        o.keymap = "us";
        o.repository = location;
        return o;
    }
    void give_eth0_an_address() { services.nics[0].addresses = {"10.0.0.9/24", "fe80::1/64"}; }
    // From repo_kind through a kept network configuration to the first server question.
    void to_server_step(Flow& f, const std::string& kind) {
        choose(f, kind);
        choose(f, "eth0");
        choose(f, "keep");
    }
};

TEST_F(FlowPresetTest, ADirectoryOpensAtOnceAndBackShowsItFilledIn) {
    services.repositories["/srv/images"] = services.repositories["/home/partimag"];
    Flow f(services, preset("/srv/images"));
    EXPECT_EQ(f.step_name(), "repo_found");
    EXPECT_EQ(services.opened, (std::vector<std::string>{"/srv/images"}));
    EXPECT_NE(f.screen().text.find("/srv/images"), std::string::npos);
    EXPECT_EQ(f.job().repo, "/srv/images");
    f.answer(Answer::back_answer());
    Screen kinds = f.screen();
    EXPECT_EQ(kinds.step, "repo_kind");
    EXPECT_EQ(kinds.error, "");
    EXPECT_EQ(kinds.selected, index_of(kinds, "mounted_dir"));
    choose(f, "mounted_dir");
    EXPECT_EQ(f.screen().value, "/srv/images");
    // Back again and forward: the preset is not opened a second time behind the operator.
    f.answer(Answer::back_answer());
    f.answer(Answer::back_answer());
    choose(f, "us");
    EXPECT_EQ(f.step_name(), "repo_kind");
    EXPECT_EQ(services.opened.size(), 1u);
}

TEST_F(FlowPresetTest, ItWaitsForTheLanguageAndKeyboardQuestions) {
    FlowOptions o = options();
    o.repository = "/home/partimag";
    Flow f(services, o);
    EXPECT_EQ(f.step_name(), "language");
    EXPECT_TRUE(services.opened.empty());
    choose(f, "en");
    choose(f, "other");
    choose(f, "de");
    EXPECT_EQ(f.step_name(), "repo_found");
    EXPECT_EQ(services.opened, (std::vector<std::string>{"/home/partimag"}));
    enter(f);
    EXPECT_EQ(f.step_name(), "mode");
    f.answer(Answer::back_answer());
    f.answer(Answer::back_answer());
    EXPECT_EQ(f.step_name(), "repo_kind");
    f.answer(Answer::back_answer());
    EXPECT_EQ(f.step_name(), "keyboard_other");
}

TEST_F(FlowPresetTest, ADevicePartitionByLabelKeepsItsDiskOutAndIsPreselected) {
    services.disk_list[0].partitions[1].label = "KURA-IMAGES";  // sda2, not the first one listed
    services.repositories["dev:LABEL=KURA-IMAGES"] = services.repositories["/home/partimag"];
    Flow f(services, preset("dev:LABEL=KURA-IMAGES"));
    EXPECT_EQ(f.step_name(), "repo_found");
    EXPECT_EQ(services.opened.back(), "dev:LABEL=KURA-IMAGES");
    enter(f);
    choose(f, "savedisk");
    type(f, "x-img");
    Screen disks = f.screen();
    EXPECT_FALSE(testing::item_of(disks, "sda").enabled);
    EXPECT_EQ(testing::item_of(disks, "sda").reason, "holds the image repository");
    for (int i = 0; i < 4; ++i) f.answer(Answer::back_answer());
    Screen kinds = f.screen();
    ASSERT_EQ(kinds.step, "repo_kind");
    EXPECT_EQ(kinds.selected, index_of(kinds, "local_dev"));
    choose(f, "local_dev");
    Screen parts = f.screen();
    EXPECT_EQ(parts.items.at(0).key, "sdd1");  // USB first, as always
    EXPECT_EQ(parts.selected, index_of(parts, "sda2"));
}

TEST_F(FlowPresetTest, NfsWhenTheNetworkIsUpOpensAtOnceAndKeepsItsOptions) {
    give_eth0_an_address();
    services.repositories["nfs4://10.0.0.5/images"] = services.repositories["/home/partimag"];
    services.repositories["nfs://10.0.0.5/images?uid=1000&gid=1000"] = services.repositories["/home/partimag"];
    Flow f(services, preset("nfs://10.0.0.5/images?uid=1000&gid=1000"));
    EXPECT_EQ(f.step_name(), "repo_found");
    EXPECT_TRUE(services.network_calls.empty());
    EXPECT_EQ(services.opened, (std::vector<std::string>{"nfs://10.0.0.5/images?uid=1000&gid=1000"}));
    f.answer(Answer::back_answer());
    Screen kinds = f.screen();
    ASSERT_EQ(kinds.step, "repo_kind");
    EXPECT_EQ(kinds.selected, index_of(kinds, "nfs_server"));
    to_server_step(f, "nfs_server");
    ASSERT_EQ(f.step_name(), "nfs_server");
    EXPECT_EQ(f.screen().value, "10.0.0.5");
    type(f, "10.0.0.5");
    EXPECT_EQ(f.screen().value, "/images");
    type(f, "/images");
    EXPECT_EQ(f.screen().selected, index_of(f.screen(), "v3"));
    choose(f, "v3");
    EXPECT_EQ(f.step_name(), "repo_found");
    // The root-squash options the boot line gave still apply when the operator reopens it.
    EXPECT_EQ(services.opened.back(), "nfs://10.0.0.5/images?uid=1000&gid=1000");
}

TEST_F(FlowPresetTest, Nfs4IsPreselectedAsVersion4) {
    give_eth0_an_address();
    services.repositories["nfs4://10.0.0.5/images"] = services.repositories["/home/partimag"];
    Flow f(services, preset("nfs4://10.0.0.5/images"));
    EXPECT_EQ(f.step_name(), "repo_found");
    f.answer(Answer::back_answer());
    to_server_step(f, "nfs_server");
    type(f, "10.0.0.5");
    type(f, "/images");
    EXPECT_EQ(f.screen().selected, index_of(f.screen(), "v4"));
}

TEST_F(FlowPresetTest, NfsWithoutAnAddressGoesThroughTheNetworkStepsFirst) {
    Flow f(services, preset("nfs://10.0.0.5/images"));
    EXPECT_EQ(f.step_name(), "nic");
    EXPECT_TRUE(services.opened.empty());
    choose(f, "eth0");
    choose(f, "static");
    type(f, "10.0.0.9/24");
    type(f, "10.0.0.1");
    type(f, "");
    EXPECT_EQ(f.step_name(), "repo_found");
    ASSERT_EQ(services.network_calls.size(), 1u);
    EXPECT_EQ(services.network_calls[0].address, "10.0.0.9/24");
    EXPECT_EQ(services.opened, (std::vector<std::string>{"nfs://10.0.0.5/images"}));
    f.answer(Answer::back_answer());
    EXPECT_EQ(f.step_name(), "repo_kind");
}

TEST_F(FlowPresetTest, BackFromTheNetworkStepsLetsTheOperatorChooseAnotherKind) {
    Flow f(services, preset("nfs://10.0.0.5/images"));
    ASSERT_EQ(f.step_name(), "nic");
    f.answer(Answer::back_answer());
    EXPECT_EQ(f.step_name(), "repo_kind");
    to_server_step(f, "nfs_server");
    EXPECT_EQ(f.step_name(), "nfs_server");  // the operator's own way now: the questions are asked
    EXPECT_EQ(f.screen().value, "10.0.0.5");
    EXPECT_TRUE(services.opened.empty());
}

TEST_F(FlowPresetTest, SmbAsksOnlyForThePassword) {
    give_eth0_an_address();
    Flow f(services, preset("smb://OFFICE;backup@10.0.0.6:4450/images?protocol=smb3"));
    Screen password = f.screen();
    ASSERT_EQ(password.step, "smb_password");
    EXPECT_EQ(password.kind, ScreenKind::password);
    EXPECT_NE(password.text.find("OFFICE\\backup"), std::string::npos) << password.text;
    EXPECT_NE(password.text.find("10.0.0.6:4450"), std::string::npos) << password.text;
    EXPECT_TRUE(services.opened.empty());
    type(f, "wrong");
    EXPECT_EQ(f.step_name(), "smb_password");
    EXPECT_NE(f.screen().error.find("wrong password"), std::string::npos);
    type(f, "right");
    EXPECT_EQ(f.step_name(), "repo_found");
    EXPECT_EQ(services.opened.back(), "smb://OFFICE;backup@10.0.0.6:4450/images?protocol=SMB3");
    f.answer(Answer::back_answer());
    Screen kinds = f.screen();
    ASSERT_EQ(kinds.step, "repo_kind");
    EXPECT_EQ(kinds.selected, index_of(kinds, "samba_server"));
    to_server_step(f, "samba_server");
    EXPECT_EQ(f.screen().value, "10.0.0.6:4450");
    type(f, "10.0.0.6:4450");
    EXPECT_EQ(f.screen().value, "images");
    type(f, "images");
    EXPECT_EQ(f.screen().value, "OFFICE\\backup");
    type(f, "OFFICE\\backup");
    type(f, "right");
    EXPECT_EQ(f.screen().selected, index_of(f.screen(), "SMB3"));
}

TEST_F(FlowPresetTest, SmbWithoutAnAddressConfiguresTheNetworkThenAsksThePassword) {
    Flow f(services, preset("smb://OFFICE;backup@10.0.0.6:4450/images?protocol=SMB3"));
    EXPECT_EQ(f.step_name(), "nic");
    choose(f, "eth0");
    choose(f, "keep");
    EXPECT_EQ(f.step_name(), "smb_password");
    type(f, "right");
    EXPECT_EQ(f.step_name(), "repo_found");
    f.answer(Answer::back_answer());
    EXPECT_EQ(f.step_name(), "repo_kind");
}

TEST_F(FlowPresetTest, ALocationThatDoesNotParseIsExplainedOnRepoKindWithWhatParsed) {
    Flow f(services, preset("smb://backup:secret@nas/images"));
    Screen kinds = f.screen();
    ASSERT_EQ(kinds.step, "repo_kind");
    EXPECT_NE(kinds.error.find("smb://backup:***@nas/images"), std::string::npos) << kinds.error;
    EXPECT_NE(kinds.error.find("password is never accepted"), std::string::npos) << kinds.error;
    EXPECT_EQ(kinds.error.find("secret"), std::string::npos);
    EXPECT_EQ(kinds.selected, index_of(kinds, "samba_server"));
    EXPECT_TRUE(services.opened.empty());
    EXPECT_TRUE(services.network_calls.empty());
    to_server_step(f, "samba_server");
    EXPECT_EQ(f.screen().value, "nas");
    type(f, "nas");
    EXPECT_EQ(f.screen().value, "images");
    type(f, "images");
    EXPECT_EQ(f.screen().value, "backup");
}

TEST_F(FlowPresetTest, AnUnknownSchemeIsExplainedInTheOperatorsLanguage) {
    FlowOptions o = preset("ftp://nas/images");
    o.language = Language::ja;
    Flow f(services, o);
    Screen kinds = f.screen();
    ASSERT_EQ(kinds.step, "repo_kind");
    EXPECT_NE(kinds.error.find("ftp://nas/images"), std::string::npos);
    EXPECT_NE(kinds.error.find("事前指定"), std::string::npos) << kinds.error;
    EXPECT_NE(kinds.error.find("smb://"), std::string::npos) << kinds.error;
}

TEST_F(FlowPresetTest, ALocationThatDoesNotOpenIsExplainedOnRepoKindWithItsFields) {
    give_eth0_an_address();
    Flow f(services, preset("nfs://10.0.0.7/images"));
    Screen kinds = f.screen();
    ASSERT_EQ(kinds.step, "repo_kind");
    EXPECT_NE(kinds.error.find("The preset repository nfs://10.0.0.7/images could not be opened"), std::string::npos)
        << kinds.error;
    EXPECT_NE(kinds.error.find("does not answer"), std::string::npos) << kinds.error;
    EXPECT_EQ(kinds.selected, index_of(kinds, "nfs_server"));
    to_server_step(f, "nfs_server");
    EXPECT_EQ(f.screen().value, "10.0.0.7");
    type(f, "10.0.0.5");
    EXPECT_EQ(f.screen().value, "/images");
    type(f, "/images");
    choose(f, "v3");
    EXPECT_EQ(f.step_name(), "repo_found");
}

TEST_F(FlowPresetTest, AFailureAfterTheNetworkStepsReturnsToRepoKindToo) {
    Flow f(services, preset("/nowhere"));
    EXPECT_EQ(f.step_name(), "repo_kind");
    EXPECT_NE(f.screen().error.find("/nowhere"), std::string::npos);

    Flow n(services, preset("nfs://10.0.0.7/images"));
    ASSERT_EQ(n.step_name(), "nic");
    choose(n, "eth0");
    choose(n, "keep");
    EXPECT_EQ(n.step_name(), "repo_kind");
    EXPECT_NE(n.screen().error.find("does not answer"), std::string::npos);
    n.answer(Answer::back_answer());
    EXPECT_EQ(n.step_name(), "keyboard");
}

}  // namespace
}  // namespace kura::tui
