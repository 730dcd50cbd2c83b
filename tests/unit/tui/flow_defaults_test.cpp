// Defaults that protect the source: where the restore target cursor starts, what each
// candidate disk shows, the check before restoring, power off after an unverified image,
// and the options' cursor.
#include "flow_fixture.h"

#include <gtest/gtest.h>

namespace kura::tui {
namespace {

using testing::FlowTest;
using testing::GiB;
using testing::index_of;
using testing::item_of;
using testing::make_disk;

class FlowDefaultsTest : public FlowTest {
protected:
    FlowDefaultsTest() {
        services.disk_list[0].partition_table = "gpt";
        services.disk_list[0].partitions[0].label = "EFI";
        services.disk_list[3].partition_table = "dos";
    }

    void to_restore_targets(Flow& f) {
        to_mode(f);
        choose(f, "restoredisk");
        choose(f, "web1-img");
        ASSERT_EQ(f.step_name(), "restore_target");
    }
};

TEST_F(FlowDefaultsTest, RestoreTargetCursorStartsOnTheBlankDiskAndEachDiskSaysWhatIsOnIt) {
    Flow f(services, options());
    to_restore_targets(f);
    Screen s = f.screen();
    // sda: the image's source (serial S-A), with data; sdc: blank and large enough.
    EXPECT_EQ(s.selected, index_of(s, "sdc"));
    EXPECT_NE(item_of(s, "sdc").detail.find("blank (no partition table)"), std::string::npos) << item_of(s, "sdc").detail;
    const std::string& source = item_of(s, "sda").detail;
    EXPECT_NE(source.find("IMAGE SOURCE"), std::string::npos) << source;
    EXPECT_NE(source.find("HOLDS DATA: gpt, 2 partition(s): vfat \"EFI\", ext4"), std::string::npos) << source;
    EXPECT_NE(item_of(s, "sdd").detail.find("HOLDS DATA: dos, 1 partition(s): exfat"), std::string::npos);
    EXPECT_EQ(item_of(s, "sdd").detail.find("IMAGE SOURCE"), std::string::npos);
    // The list has headings, the sizes one convention (decimal GB).
    EXPECT_NE(s.text.find("Disk"), std::string::npos);
    EXPECT_NE(s.text.find("What is on it now"), std::string::npos);
    EXPECT_NE(item_of(s, "sdc").detail.find("214.7 GB"), std::string::npos);
}

TEST_F(FlowDefaultsTest, TheCursorNeverStartsOnTheImagesSourceEvenWhenItIsBlank) {
    // The image was saved from sdc (same serial), which is blank now; sda holds data.
    services.needs["web1-img"] = {ImageNeed{"sda", "", 60 * GiB, 100 * GiB, "TESTDISK, serial:S-C", "serial:S-C"}};
    Flow f(services, options());
    to_restore_targets(f);
    Screen s = f.screen();
    EXPECT_EQ(s.selected, -1);
    EXPECT_NE(s.text.find("No blank disk here"), std::string::npos) << s.text;
    EXPECT_NE(item_of(s, "sdc").detail.find("IMAGE SOURCE"), std::string::npos);
    // The operator may still choose any disk that can take the image, by moving to it.
    choose(f, "sda");
    EXPECT_EQ(f.step_name(), "restore_options");
}

TEST_F(FlowDefaultsTest, WithEveryDiskHoldingDataNothingIsHighlighted) {
    services.disk_list[2] = make_disk("sdc", 200 * GiB, "S-C", {{"sdc1", "ntfs"}});
    Flow f(services, options());
    to_restore_targets(f);
    Screen s = f.screen();
    EXPECT_EQ(s.selected, -1);
    EXPECT_NE(s.text.find("every disk that could be chosen holds data"), std::string::npos);
    // Going back and forward again keeps the operator's own choice once made.
    choose(f, "sdc");
    f.answer(Answer::back_answer());
    EXPECT_EQ(f.screen().selected, index_of(f.screen(), "sdc"));
}

TEST_F(FlowDefaultsTest, RestorepartsStartsOnAnUnformattedPartitionOnly) {
    services.disk_list[2] = make_disk("sdc", 200 * GiB, "S-C", {{"sdc1", ""}, {"sdc2", "ext4"}});
    Flow f(services, options());
    to_mode(f);
    choose(f, "restoreparts");
    choose(f, "parts-img");
    Screen s = f.screen();
    EXPECT_EQ(s.selected, index_of(s, "sdc1"));
    EXPECT_NE(s.text.find("Partition"), std::string::npos);
    EXPECT_NE(s.text.find("Size"), std::string::npos);
}

TEST_F(FlowDefaultsTest, CheckBeforeRestoringIsOnByDefaultWithItsCostAndTheCursorOnContinue) {
    services.repositories["/home/partimag"].images[0].bytes = 30'000'000'000;  // 300 s at 100 MB/s
    Flow f(services, options());
    to_restore_targets(f);
    choose(f, "sdc");
    Screen s = f.screen();
    EXPECT_EQ(s.step, "restore_options");
    EXPECT_EQ(s.selected, index_of(s, "continue"));
    const std::string& check = item_of(s, "check_first").detail;
    EXPECT_EQ(check.rfind("yes", 0), 0u) << check;
    EXPECT_NE(check.find("(about 5 min, 30.0 GB)"), std::string::npos) << check;
    EXPECT_NE(s.text.find("size at 100.0 MB/s"), std::string::npos) << s.text;
    EXPECT_TRUE(f.job().check_first);
    // Turned off, the cost goes; the cursor stays where the operator pressed Enter.
    choose(f, "check_first");
    EXPECT_EQ(item_of(f.screen(), "check_first").detail, "no");
    EXPECT_EQ(f.screen().selected, index_of(f.screen(), "check_first"));
    choose(f, "check_first");
    choose(f, "continue");
    enter(f);
    confirm(f, true);
    confirm(f, true);
    EXPECT_NE(equivalent_command(f.job()).find("--check-first"), std::string::npos);
}

TEST_F(FlowDefaultsTest, SaveOptionsCursorStartsOnContinue) {
    Flow f(services, options());
    to_mode(f);
    choose(f, "savedisk");
    type(f, "x-img");
    tick(f, {"sdc"});
    Screen s = f.screen();
    EXPECT_EQ(s.step, "save_options");
    EXPECT_EQ(s.selected, index_of(s, "continue"));
}

TEST_F(FlowDefaultsTest, PowerOffIsImmediateWhenIdleAndAsksAfterAnUnverifiedImage) {
    {
        Flow f(services, options());
        to_mode(f);
        choose(f, "poweroff");
        EXPECT_EQ(f.action(), FlowAction::power_off);
    }
    Flow f(services, options());
    to_mode(f);
    choose(f, "savedisk");
    type(f, "x-img");
    tick(f, {"sdc"});
    choose(f, "verify");  // off
    choose(f, "continue");
    enter(f);
    confirm(f, true);
    f.job_finished(JobResult{true, "", 0, 1, 1, "/tmp/log"});
    EXPECT_NE(f.screen().text.find("Not verified"), std::string::npos) << f.screen().text;
    choose(f, "poweroff");
    EXPECT_EQ(f.action(), FlowAction::show);
    EXPECT_EQ(f.step_name(), "power_off_confirm");
    EXPECT_NE(f.screen().text.find("x-img was never verified"), std::string::npos);
    confirm(f, false);
    EXPECT_EQ(f.step_name(), "result");
    choose(f, "start_over");
    choose(f, "poweroff");
    EXPECT_EQ(f.step_name(), "power_off_confirm");
    confirm(f, true);
    EXPECT_EQ(f.action(), FlowAction::power_off);
}

TEST_F(FlowDefaultsTest, CheckingTheUnverifiedImageLetsPowerOffGoAtOnce) {
    ImageEntry x;
    x.name = "x-img";
    x.state = ImageState::complete;
    x.disks = {"sdc"};
    Flow f(services, options());
    to_mode(f);
    choose(f, "savedisk");
    type(f, "x-img");
    tick(f, {"sdc"});
    choose(f, "verify");
    choose(f, "continue");
    enter(f);
    confirm(f, true);
    f.job_finished(JobResult{true, "", 0, 1, 1, "/tmp/log"});
    services.repositories["/home/partimag"].images.push_back(x);
    choose(f, "start_over");
    choose(f, "checkimage");
    choose(f, "x-img");
    ASSERT_EQ(f.action(), FlowAction::run_job);
    f.job_finished(JobResult{true, "", 0, 1, 1, "/tmp/log"});
    EXPECT_NE(f.screen().text.find("Verified: every checksum"), std::string::npos);
    choose(f, "poweroff");
    EXPECT_EQ(f.action(), FlowAction::power_off);
}

}  // namespace
}  // namespace kura::tui
