// Words and screens: the engine's messages in the operator's language, the plan's disk
// row and headings, the Done screen's proof and command, "please wait", lists reread on
// entry, and the language reached again from the mode menu.
#include "flow_fixture.h"
#include "tui/engine_messages.h"
#include "tui/flow_steps.h"

#include <gtest/gtest.h>

namespace kura::tui {
namespace {

using testing::FlowTest;
using testing::GiB;
using testing::index_of;
using testing::item_of;

class FlowWordsTest : public FlowTest {
protected:
    void to_mode_in(Flow& f, const std::string& language) {
        choose(f, language);
        choose(f, "us");
        choose(f, "mounted_dir");
        type(f, "/home/partimag");
        enter(f);
        ASSERT_EQ(f.step_name(), "mode");
    }
    void to_restore_plan(Flow& f, const std::string& language) {
        to_mode_in(f, language);
        choose(f, "restoredisk");
        choose(f, "web1-img");
        choose(f, "sdc");
        choose(f, "continue");
        ASSERT_EQ(f.step_name(), "restore_plan");
    }
};

const Message kLarger{"plan.target_larger_disk",
                      "/dev/sdc is larger than the saved disk; the space after the last partition stays free "
                      "(--grow extends the last partition into it)",
                      {{"target", "/dev/sdc"}}};

TEST_F(FlowWordsTest, PlanWarningsWithAnIdAreTranslatedAndTheRestStayEnglish) {
    services.plan_warnings = {kLarger, Message("a warning the catalogs do not know")};
    Flow ja(services, options());
    to_restore_plan(ja, "ja");
    std::string text = ja.screen().text;
    EXPECT_NE(text.find("/dev/sdc は保存元のディスクより大きいため"), std::string::npos) << text;
    EXPECT_NE(text.find("--grow を指定すると"), std::string::npos) << text;
    EXPECT_EQ(text.find("is larger than the saved disk"), std::string::npos) << text;
    EXPECT_NE(text.find("a warning the catalogs do not know"), std::string::npos);

    Flow en(services, options());
    to_restore_plan(en, "en");
    EXPECT_NE(en.screen().text.find("Warning: " + kLarger.text), std::string::npos) << en.screen().text;
}

TEST_F(FlowWordsTest, AJapaneseScreenShowsTheEnginesErrorTranslated) {
    services.open_error = Error(ExitCode::io_error, "repo.ntfs_3g_failed", "/dev/sdd1: ntfs-3g could not mount it",
                                {{"device", "/dev/sdd1"}});
    Flow f(services, options());
    choose(f, "ja");
    choose(f, "us");
    choose(f, "local_dev");
    choose(f, "sdd1");
    EXPECT_EQ(f.step_name(), "local_partition");
    EXPECT_EQ(f.screen().error, "/dev/sdd1: ntfs-3g でマウントできませんでした");
    // The same error in English is the engine's own text, as the CLI prints it.
    Flow en(services, options());
    choose(en, "en");
    choose(en, "us");
    choose(en, "local_dev");
    choose(en, "sdd1");
    EXPECT_EQ(en.screen().error, "/dev/sdd1: ntfs-3g could not mount it");
}

TEST_F(FlowWordsTest, EveryEngineMessageIdHasJapaneseWithItsPlaceholders) {
    for (const auto& [key, text] : catalog(Language::ja)) {
        if (!key.starts_with("engine.")) continue;
        Message m(std::string(key.substr(7)), "english", {});
        EXPECT_NE(engine_text(Language::ja, m), "english") << key;
    }
    Message unknown("no.such.id", "the engine's English", {});
    EXPECT_EQ(engine_text(Language::ja, unknown), "the engine's English");
    EXPECT_EQ(engine_text(Language::ja, std::runtime_error("plain")), "plain");
}

TEST_F(FlowWordsTest, ThePlansDiskRowSaysItIsTheTableAndBootCode) {
    services.plan_disk_row = PlanItem{"sda", "/dev/sdc (gpt)", "disk", 200 * GiB, 0};
    Flow f(services, options());
    to_restore_plan(f, "en");
    std::string text = f.screen().text;
    EXPECT_NE(text.find("sda        -> /dev/sdc         partition table (gpt) and boot code\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("0 B"), std::string::npos) << text;
    // Headings over the two sizes.
    EXPECT_NE(text.find("Size"), std::string::npos);
    EXPECT_NE(text.find("Used"), std::string::npos);
}

TEST_F(FlowWordsTest, TheDoneScreenSaysVerifiedAndTheCommandIsCutBetweenWordsOnly) {
    Flow f(services, options());
    to_restore_plan(f, "en");
    enter(f);
    confirm(f, true);
    confirm(f, true);
    f.job_finished(JobResult{true, "", 0, 1, 1, "/tmp/log"});
    std::string text = f.screen().text;
    EXPECT_NE(text.find("Verified: the whole image was checked before anything was written."), std::string::npos)
        << text;
    std::string command = text.substr(text.find("The same job without the menu:\n") + 31);
    std::string rejoined;
    std::size_t start = 0;
    while (start < command.size()) {
        std::size_t end = command.find('\n', start);
        std::string line = command.substr(start, end == std::string::npos ? std::string::npos : end - start);
        EXPECT_LE(line.size(), 2 + flow_steps::kCommandWidth) << line;
        if (line.ends_with(" \\")) line.resize(line.size() - 2);
        while (!line.empty() && line.front() == ' ') line.erase(0, 1);
        rejoined += (rejoined.empty() ? "" : " ") + line;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    EXPECT_EQ(rejoined, equivalent_command(f.job()));
}

TEST_F(FlowWordsTest, PickingAnImageOrARepositorySaysPleaseWait) {
    Flow f(services, options());
    choose(f, "en");
    choose(f, "us");
    choose(f, "local_dev");
    EXPECT_EQ(f.screen().working, "Opening the repository, please wait...");
    choose(f, "sdd1");
    enter(f);
    choose(f, "restoredisk");
    EXPECT_EQ(f.screen().working, "Reading the image, please wait...");
}

TEST_F(FlowWordsTest, PartitionListsAreReadAgainWhenReachedByEsc) {
    Flow f(services, options());
    to_mode_in(f, "en");
    choose(f, "saveparts");
    type(f, "p-img");
    Screen before = f.screen();
    EXPECT_EQ(before.step, "save_parts");
    EXPECT_NE(before.text.find("Partition"), std::string::npos);
    tick(f, {"sda2"});
    // A partition made meanwhile (in the shell, or a drive plugged in) shows after Esc.
    services.disk_list[2] = testing::make_disk("sdc", 200 * GiB, "S-C", {{"sdc1", "xfs"}});
    f.answer(Answer::back_answer());
    Screen after = f.screen();
    EXPECT_EQ(after.step, "save_parts");
    EXPECT_GE(index_of(after, "sdc1"), 0);
}

TEST_F(FlowWordsTest, TheLanguageCanBeChangedFromTheModeMenuWithoutAnsweringEverythingAgain) {
    Flow f(services, options());
    to_mode_in(f, "en");
    choose(f, "language");
    EXPECT_EQ(f.step_name(), "language");
    choose(f, "ja");
    EXPECT_EQ(f.step_name(), "mode");
    EXPECT_EQ(f.language(), Language::ja);
    EXPECT_EQ(f.screen().title, tr(Language::ja, "mode.title"));
    // Esc on the language screen returns to the mode menu too, language unchanged.
    choose(f, "language");
    f.answer(Answer::back_answer());
    EXPECT_EQ(f.step_name(), "mode");
    EXPECT_EQ(f.language(), Language::ja);
    EXPECT_EQ(services.opened.size(), 1u);  // the repository was not asked for again
}

}  // namespace
}  // namespace kura::tui
