// The menu's flow model alone: every path forward and back, what is refused and why,
// and the job handed to the engine at the end.
#include "flow_fixture.h"

#include <gtest/gtest.h>

namespace kura::tui {
namespace {

using testing::FlowTest;
using testing::GiB;
using testing::index_of;
using testing::item_of;
using testing::make_disk;
using testing::ScriptedServices;

TEST_F(FlowTest, SavediskForwardBuildsTheJobTheEngineRuns) {
    Flow f(services, options());
    EXPECT_EQ(f.step_name(), "language");
    EXPECT_FALSE(f.screen().can_go_back);
    to_mode(f);
    choose(f, "savedisk");
    Screen name = f.screen();
    EXPECT_EQ(name.step, "save_name");
    EXPECT_EQ(name.value, "2026-12-07-01-img");
    type(f, name.value);
    Screen disks = f.screen();
    EXPECT_EQ(disks.step, "save_disks");
    EXPECT_NE(item_of(disks, "sda").detail.find("TESTDISK"), std::string::npos);
    EXPECT_NE(item_of(disks, "sda").detail.find("S-A"), std::string::npos);
    tick(f, {"sda", "sdc"});
    EXPECT_EQ(f.step_name(), "save_options");
    choose(f, "compression");  // zstd 3 -> zstd 1
    choose(f, "verify");       // yes -> no
    choose(f, "split");        // 4096 -> 2000
    choose(f, "continue");
    Screen plan = f.screen();
    EXPECT_EQ(plan.step, "save_plan");
    EXPECT_NE(plan.text.find("serial:S-A"), std::string::npos);
    enter(f);
    Screen sure = f.screen();
    EXPECT_NE(sure.text.find("Are you sure you want to continue? (y/n)"), std::string::npos);
    confirm(f, true);
    ASSERT_EQ(f.action(), FlowAction::run_job);

    const Job& job = f.job();
    EXPECT_EQ(job.mode, JobMode::savedisk);
    EXPECT_EQ(job.repo, "/home/partimag");
    EXPECT_EQ(job.image, "2026-12-07-01-img");
    EXPECT_EQ(job.devices, (std::vector<std::string>{"serial:S-A", "serial:S-C"}));  // never sdX
    EXPECT_EQ(job.codec, "zstd");
    EXPECT_EQ(job.level, 1);
    EXPECT_FALSE(job.verify);
    EXPECT_EQ(job.split_mb, 2000u);
    ASSERT_EQ(services.planned.size(), 1u);

    JobResult result = services.run(job, nullptr);
    f.job_finished(result);
    Screen done = f.screen();
    EXPECT_EQ(done.step, "result");
    EXPECT_EQ(done.title, "Done");
    EXPECT_FALSE(done.can_go_back);
    EXPECT_NE(done.text.find("/tmp/kura-menu.log"), std::string::npos);
    EXPECT_NE(done.text.find("kura savedisk"), std::string::npos);
    choose(f, "start_over");
    EXPECT_EQ(f.step_name(), "mode");
}

TEST_F(FlowTest, EveryStepGoesBackToTheOneBefore) {
    Flow f(services, options());
    std::vector<std::string> seen{f.step_name()};
    choose(f, "en");
    seen.push_back(f.step_name());
    choose(f, "other");
    seen.push_back(f.step_name());
    choose(f, "de");
    seen.push_back(f.step_name());
    choose(f, "nfs_server");
    seen.push_back(f.step_name());
    choose(f, "eth0");
    seen.push_back(f.step_name());
    choose(f, "static");
    seen.push_back(f.step_name());
    type(f, "10.0.0.9/24");
    seen.push_back(f.step_name());
    type(f, "10.0.0.1");
    seen.push_back(f.step_name());
    type(f, "");
    seen.push_back(f.step_name());
    type(f, "10.0.0.5");
    seen.push_back(f.step_name());
    type(f, "/images");
    seen.push_back(f.step_name());
    choose(f, "v3");
    seen.push_back(f.step_name());
    enter(f);
    seen.push_back(f.step_name());
    choose(f, "restoredisk");
    seen.push_back(f.step_name());
    choose(f, "web1-img");
    seen.push_back(f.step_name());
    choose(f, "sdc");
    seen.push_back(f.step_name());
    choose(f, "continue");
    seen.push_back(f.step_name());
    enter(f);
    seen.push_back(f.step_name());
    confirm(f, true);
    seen.push_back(f.step_name());
    EXPECT_EQ(seen, (std::vector<std::string>{"language", "keyboard", "keyboard_other", "repo_kind", "nic",
                                              "address_mode", "static_address", "static_gateway", "static_dns",
                                              "nfs_server", "nfs_export", "nfs_version", "repo_found", "mode",
                                              "choose_image", "restore_target", "restore_options", "restore_plan",
                                              "restore_confirm", "restore_confirm_again"}));
    EXPECT_EQ(services.keymaps_loaded, (std::vector<std::string>{"de"}));
    ASSERT_EQ(services.network_calls.size(), 1u);
    EXPECT_EQ(services.network_calls[0].address, "10.0.0.9/24");
    EXPECT_EQ(services.network_calls[0].gateway, "10.0.0.1");
    // Esc from each screen leads to the one before, answers kept.
    for (std::size_t i = seen.size() - 1; i > 0; --i) {
        ASSERT_EQ(f.step_name(), seen[i]);
        EXPECT_TRUE(f.screen().can_go_back);
        f.answer(Answer::back_answer());
    }
    EXPECT_EQ(f.step_name(), "language");
    EXPECT_FALSE(f.screen().can_go_back);
    choose(f, "en");
    choose(f, "other");
    choose(f, "de");
    choose(f, "nfs_server");
    choose(f, "eth0");
    choose(f, "static");
    EXPECT_EQ(f.screen().value, "10.0.0.9/24");  // what was typed before
}

TEST_F(FlowTest, RestoreTargetsTooSmallOrUnsafeAreShownWithTheReasonAndRefused) {
    Flow f(services, options());
    to_mode(f);
    choose(f, "restoredisk");
    Screen images = f.screen();
    EXPECT_FALSE(item_of(images, "broken-img").enabled);
    EXPECT_NE(item_of(images, "broken-img").reason.find("--resume"), std::string::npos);
    EXPECT_FALSE(item_of(images, "parts-img").enabled);
    f.answer(Answer::pick(index_of(images, "broken-img")));
    EXPECT_EQ(f.step_name(), "choose_image");
    EXPECT_FALSE(f.screen().error.empty());
    choose(f, "web1-img");
    Screen targets = f.screen();
    EXPECT_EQ(targets.step, "restore_target");
    EXPECT_NE(targets.text.find("64.4 GB"), std::string::npos) << targets.text;
    EXPECT_FALSE(item_of(targets, "sdb").enabled);  // mounted (and too small)
    EXPECT_EQ(item_of(targets, "sdb").reason, "it is mounted at /mnt");
    EXPECT_FALSE(item_of(targets, "sdd").enabled);  // 50 GiB < 60 GiB
    EXPECT_NE(item_of(targets, "sdd").reason.find("too small"), std::string::npos);
    EXPECT_TRUE(item_of(targets, "sda").enabled);
    EXPECT_TRUE(targets.items.at(static_cast<std::size_t>(targets.selected)).enabled);
    f.answer(Answer::pick(index_of(targets, "sdd")));
    EXPECT_EQ(f.step_name(), "restore_target");
    EXPECT_NE(f.screen().error.find("too small"), std::string::npos);
    choose(f, "sdc");
    choose(f, "grow");
    EXPECT_EQ(item_of(f.screen(), "grow").detail, "yes");
    choose(f, "continue");
    Screen plan = f.screen();
    EXPECT_NE(plan.text.find("will be overwritten"), std::string::npos);
    enter(f);
    confirm(f, true);
    EXPECT_EQ(f.step_name(), "restore_confirm_again");
    confirm(f, false);  // no on the second question: back, nothing run
    EXPECT_EQ(f.step_name(), "restore_confirm");
    EXPECT_EQ(f.action(), FlowAction::show);
    confirm(f, true);
    confirm(f, true);
    ASSERT_EQ(f.action(), FlowAction::run_job);
    EXPECT_EQ(f.job().devices, (std::vector<std::string>{"serial:S-C"}));
    EXPECT_TRUE(f.job().grow);
    EXPECT_TRUE(services.ran.empty());
}

TEST_F(FlowTest, AnImageOfTwoDisksAsksForTwoTargetsInOrderAndNeverTheSameOneTwice) {
    services.needs["web1-img"] = {ImageNeed{"sda", "", 60 * GiB, 100 * GiB, "", ""},
                                  ImageNeed{"sdb", "", 1 * GiB, 10 * GiB, "", ""}};
    Flow f(services, options());
    to_mode(f);
    choose(f, "restoredisk");
    choose(f, "web1-img");
    EXPECT_NE(f.screen().text.find("Disk 1 of 2"), std::string::npos);
    choose(f, "sdc");
    Screen second = f.screen();
    EXPECT_NE(second.text.find("Disk 2 of 2"), std::string::npos);
    EXPECT_FALSE(item_of(second, "sdc").enabled);
    EXPECT_EQ(item_of(second, "sdc").reason, "already chosen");
    EXPECT_TRUE(item_of(second, "sdd").enabled);  // 50 GiB is enough for the second disk
    f.answer(Answer::back_answer());
    EXPECT_NE(f.screen().text.find("Disk 1 of 2"), std::string::npos);
    choose(f, "sda");
    choose(f, "sdc");
    choose(f, "continue");
    EXPECT_EQ(f.job().devices, (std::vector<std::string>{"serial:S-A", "serial:S-C"}));
}

TEST_F(FlowTest, ImageNamesAreCheckedAndAnExistingOneIsRefused) {
    Flow f(services, options());
    to_mode(f);
    choose(f, "savedisk");
    for (const char* bad : {"", "my image", ".hidden", "-x", "a/b", "名前"}) {
        type(f, bad);
        EXPECT_EQ(f.step_name(), "save_name") << bad;
        EXPECT_FALSE(f.screen().error.empty()) << bad;
        EXPECT_EQ(f.screen().value, bad);  // kept for correcting
    }
    type(f, "web1-img");
    EXPECT_EQ(f.step_name(), "save_name");
    EXPECT_NE(f.screen().error.find("exists already"), std::string::npos);
    type(f, "web1-2026_12.b+1");
    EXPECT_EQ(f.step_name(), "save_disks");
    EXPECT_TRUE(f.screen().error.empty());
    tick(f, {});
    EXPECT_EQ(f.step_name(), "save_disks");
    EXPECT_NE(f.screen().error.find("at least one disk"), std::string::npos);
}

TEST_F(FlowTest, AServerThatDoesNotAnswerIsExplainedAndCanBeCorrected) {
    Flow f(services, options());
    choose(f, "en");
    choose(f, "us");
    choose(f, "nfs_server");
    choose(f, "lo");
    choose(f, "dhcp");  // the scripted DHCP gets no answer
    EXPECT_EQ(f.step_name(), "address_mode");
    EXPECT_NE(f.screen().error.find("no DHCP answer on lo"), std::string::npos);
    choose(f, "keep");
    EXPECT_EQ(f.step_name(), "nfs_server");
    for (const char* bad : {"", "bad host!", "10.0.0.300", "nas:0", "nas:70000", "[fd00::1"}) {
        type(f, bad);
        EXPECT_EQ(f.step_name(), "nfs_server") << bad;
        EXPECT_FALSE(f.screen().error.empty()) << bad;
    }
    type(f, "10.0.0.99");
    type(f, "images");  // not absolute
    EXPECT_EQ(f.step_name(), "nfs_export");
    EXPECT_FALSE(f.screen().error.empty());
    type(f, "/images");
    choose(f, "v3");
    EXPECT_EQ(f.step_name(), "nfs_server");  // back to the server, with what went wrong
    EXPECT_NE(f.screen().error.find("does not answer"), std::string::npos);
    EXPECT_EQ(f.screen().value, "10.0.0.99");
    type(f, "10.0.0.5");
    EXPECT_EQ(f.screen().value, "/images");
    type(f, "/images");
    choose(f, "v3");
    EXPECT_EQ(f.step_name(), "repo_found");
    EXPECT_NE(f.screen().text.find("536.9 GB"), std::string::npos) << f.screen().text;
    EXPECT_EQ(services.opened.back(), "nfs://10.0.0.5/images");
}

TEST_F(FlowTest, AWrongSmbPasswordIsAskedAgain) {
    Flow f(services, options());
    choose(f, "en");
    choose(f, "us");
    choose(f, "samba_server");
    choose(f, "eth0");
    choose(f, "keep");
    type(f, "10.0.0.6:4450");
    type(f, "images");
    type(f, "OFFICE\\backup");
    ASSERT_EQ(f.screen().kind, ScreenKind::password);
    type(f, "wrong");
    choose(f, "SMB3");
    EXPECT_EQ(f.step_name(), "smb_password");
    EXPECT_NE(f.screen().error.find("wrong password"), std::string::npos);
    EXPECT_EQ(f.screen().value, "");  // a password is never shown back
    type(f, "right");
    choose(f, "SMB3");
    EXPECT_EQ(f.step_name(), "repo_found");
    EXPECT_EQ(services.opened.back(), "smb://OFFICE;backup@10.0.0.6:4450/images?protocol=SMB3");
    enter(f);
    choose(f, "savedisk");
    type(f, "x-img");
    tick(f, {"sda"});
    choose(f, "continue");
    enter(f);
    confirm(f, true);
    EXPECT_EQ(f.job().repo.find("right"), std::string::npos);
}

TEST_F(FlowTest, LocalDevicesListUsbFirstAndKeepTheRepositoryDiskOut) {
    Flow f(services, options());
    choose(f, "en");
    choose(f, "us");
    choose(f, "local_dev");
    Screen parts = f.screen();
    ASSERT_GE(parts.items.size(), 3u);
    EXPECT_EQ(parts.items[0].key, "sdd1");  // USB first
    for (const auto& i : parts.items) EXPECT_NE(i.key, "sda2x");
    choose(f, "sdd1");
    EXPECT_EQ(services.opened.back(), "dev:sdd1");
    enter(f);
    choose(f, "savedisk");
    type(f, "x-img");
    Screen disks = f.screen();
    EXPECT_FALSE(item_of(disks, "sdd").enabled);
    EXPECT_EQ(item_of(disks, "sdd").reason, "holds the image repository");
}

TEST_F(FlowTest, SavepartsRestorepartsAndCheckimage) {
    Flow f(services, options());
    to_mode(f);
    choose(f, "saveparts");
    EXPECT_EQ(f.screen().value, "2026-12-07-01-parts");
    type(f, "p-img");
    tick(f, {"sda2"});
    choose(f, "fsck");
    choose(f, "continue");
    enter(f);
    confirm(f, true);
    EXPECT_EQ(f.job().devices, (std::vector<std::string>{"/dev/sda2"}));
    EXPECT_TRUE(f.job().fsck_first);
    f.job_finished(JobResult{false, "source /dev/sda2 is mounted", 5, 0, 0, ""});
    Screen failed = f.screen();
    EXPECT_EQ(failed.title, "Failed");
    EXPECT_NE(failed.text.find("source /dev/sda2 is mounted"), std::string::npos);
    EXPECT_NE(failed.text.find("/var/log/kura/kura-menu.log"), std::string::npos);
    choose(f, "start_over");
    choose(f, "restoreparts");
    choose(f, "parts-img");
    Screen targets = f.screen();
    EXPECT_TRUE(item_of(targets, "sda2").enabled);  // 25 GiB partition, needs 20
    EXPECT_FALSE(item_of(targets, "sdd1").enabled);  // 12.5 GiB
    choose(f, "sda2");
    Screen options_screen = f.screen();
    for (const auto& i : options_screen.items) EXPECT_NE(i.key, "grow");
    choose(f, "continue");
    enter(f);
    confirm(f, true);
    confirm(f, true);
    EXPECT_EQ(f.job().devices, (std::vector<std::string>{"/dev/sda2"}));
    EXPECT_TRUE(f.job().check_first);
    f.job_finished(JobResult{true, "", 0, 1, 1, ""});
    choose(f, "start_over");
    choose(f, "checkimage");
    choose(f, "web1-img");
    EXPECT_EQ(f.action(), FlowAction::run_job);
    EXPECT_EQ(f.job().mode, JobMode::checkimage);
}

TEST_F(FlowTest, WhenDoneRebootEndsTheJourneyAfterASuccess) {
    Flow f(services, options());
    to_mode(f);
    choose(f, "savedisk");
    type(f, "x-img");
    tick(f, {"sda"});
    choose(f, "when_done");
    choose(f, "when_done");
    EXPECT_EQ(item_of(f.screen(), "when_done").detail, "power off");
    choose(f, "continue");
    enter(f);
    confirm(f, true);
    f.job_finished(JobResult{true, "", 0, 1, 1, ""});
    EXPECT_EQ(f.action(), FlowAction::power_off);
}

TEST_F(FlowTest, ShellRebootAndPowerOffFromTheModeMenu) {
    Flow f(services, options());
    to_mode(f);
    choose(f, "shell");
    EXPECT_EQ(f.action(), FlowAction::shell);
    f.shell_done();
    EXPECT_EQ(f.step_name(), "mode");
    choose(f, "reboot");
    EXPECT_EQ(f.action(), FlowAction::reboot);
}

TEST_F(FlowTest, PresetLanguageAndKeymapSkipTheirStepsButBackReachesThem) {
    FlowOptions o = options();
    o.language = Language::ja;
    o.keymap = "jp106";
    Flow f(services, o);
    EXPECT_EQ(f.step_name(), "repo_kind");
    EXPECT_EQ(f.language(), Language::ja);
    EXPECT_EQ(f.screen().title, "イメージの保存場所");
    EXPECT_EQ(services.keymaps_loaded, (std::vector<std::string>{"jp106"}));
    f.answer(Answer::back_answer());
    EXPECT_EQ(f.step_name(), "keyboard");
    f.answer(Answer::back_answer());
    EXPECT_EQ(f.step_name(), "language");
}

TEST_F(FlowTest, JapaneseWhereTheConsoleCannotShowItContinuesInEnglish) {
    FlowOptions o = options();
    o.can_show_japanese = false;
    Flow f(services, o);
    choose(f, "ja");
    EXPECT_EQ(f.step_name(), "japanese_unavailable");
    EXPECT_NE(f.screen().text.find("continues in English"), std::string::npos);
    enter(f);
    EXPECT_EQ(f.step_name(), "keyboard");
    EXPECT_EQ(f.language(), Language::en);
    EXPECT_EQ(f.screen().title, "Keyboard");
}

// Walks the whole save and restore journey in Japanese and checks that every screen has its
// words from the Japanese catalog (nothing missing, nothing left in English).
TEST_F(FlowTest, EveryScreenHasJapaneseText) {
    Flow f(services, options());
    std::vector<Screen> screens;
    auto keep = [&] { screens.push_back(f.screen()); };
    keep();
    choose(f, "ja");
    keep();
    choose(f, "us");
    keep();
    choose(f, "samba_server");
    keep();
    choose(f, "eth0");
    keep();
    choose(f, "keep");
    keep();
    type(f, "10.0.0.6:4450");
    keep();
    type(f, "images");
    keep();
    type(f, "OFFICE\\backup");
    keep();
    type(f, "right");
    keep();
    choose(f, "SMB3");
    keep();
    enter(f);
    keep();
    choose(f, "savedisk");
    keep();
    type(f, "x-img");
    keep();
    tick(f, {"sda"});
    keep();
    choose(f, "continue");
    keep();
    enter(f);
    keep();
    confirm(f, true);
    ProgressSnapshot p;
    p.operation = "save";
    p.item = "sda1";
    p.done_bytes = 50;
    p.total_bytes = 100;
    p.item_done_bytes = 10;
    p.item_total_bytes = 40;
    screens.push_back(f.progress_screen(p));
    f.job_finished(JobResult{true, "", 0, 1, 1, "/tmp/log"});
    keep();
    choose(f, "start_over");
    choose(f, "restoredisk");
    keep();
    choose(f, "web1-img");
    keep();
    choose(f, "sdc");
    keep();
    choose(f, "continue");
    keep();
    enter(f);
    keep();
    confirm(f, true);
    keep();
    for (const auto& s : screens) {
        std::string all = s.title + s.text + s.keys_help + s.error;
        for (const auto& i : s.items) all += i.label + i.detail + i.reason;
        EXPECT_EQ(all.find("??"), std::string::npos) << s.step << ": " << all;
        bool has_japanese = false;
        for (unsigned char c : s.text + s.title)
            if (c >= 0xe3) has_japanese = true;  // hiragana, katakana and kanji are 0xE3..0xE9 lead bytes
        EXPECT_TRUE(has_japanese) << s.step << ": " << s.title << " / " << s.text;
    }
    EXPECT_NE(screens[17].text.find("25.0%"), std::string::npos) << screens[17].text;  // sda1: 10 of 40
    EXPECT_NE(screens[17].text.find(" 50.0%"), std::string::npos);
}

}  // namespace
}  // namespace kura::tui
