// Progress: per-item counts, and the job's sink the menu draws from.
#include "core/progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace kura {
namespace {

TEST(Progress, ItemCountsRestartWithEachItem) {
    Progress p(ProgressStyle::none, "save");
    p.set_total(1000);
    p.set_item("sda1", 600);
    p.add(100);
    p.add(200);
    ProgressSnapshot s = p.snapshot();
    EXPECT_EQ(s.item, "sda1");
    EXPECT_EQ(s.done_bytes, 300u);
    EXPECT_EQ(s.item_done_bytes, 300u);
    EXPECT_EQ(s.item_total_bytes, 600u);
    EXPECT_DOUBLE_EQ(s.item_percent(), 50.0);

    p.set_item("sda2");  // size unknown
    p.add(50);
    s = p.snapshot();
    EXPECT_EQ(s.item, "sda2");
    EXPECT_EQ(s.done_bytes, 350u);
    EXPECT_EQ(s.item_done_bytes, 50u);
    EXPECT_EQ(s.item_total_bytes, 0u);
    EXPECT_DOUBLE_EQ(s.item_percent(), 0.0);
}

TEST(Progress, AlreadyDoneCountsForTheWholeNotTheItem) {
    Progress p(ProgressStyle::none, "save");
    p.set_total(1000);
    p.add_already_done(400);
    p.set_item("sda1", 200);
    p.add(100);
    ProgressSnapshot s = p.snapshot();
    EXPECT_EQ(s.done_bytes, 500u);
    EXPECT_EQ(s.item_done_bytes, 100u);
}

TEST(Progress, JsonLineCarriesTheItemCounts) {
    ProgressSnapshot s;
    s.operation = "restore";
    s.item = "sda1";
    s.item_done_bytes = 7;
    s.item_total_bytes = 9;
    std::string line = Progress::render_json(s);
    EXPECT_NE(line.find("\"item_done_bytes\":7,\"item_total_bytes\":9"), std::string::npos) << line;
}

// Collects what a Progress's sink is given.
class SinkTest : public ::testing::Test {
protected:
    ProgressSink sink() {
        return [this](const ProgressSnapshot& s) {
            std::lock_guard lock(mutex_);
            seen_.push_back(s);
        };
    }
    std::vector<ProgressSnapshot> seen() {
        std::lock_guard lock(mutex_);
        return seen_;
    }

    std::mutex mutex_;
    std::vector<ProgressSnapshot> seen_;
};

TEST_F(SinkTest, ReportsTicksAndTheFinalStateWithoutAnyOutputStyle) {
    Progress p(ProgressStyle::none, "save", sink());
    p.set_total(100);
    p.start();
    p.set_item("sda1", 100);
    p.add(40);
    // The menu's ticks come every half second.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (seen().empty() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_FALSE(seen().empty()) << "no tick reached the sink";
    EXPECT_EQ(seen().back().operation, "save");
    p.add(60);
    p.stop();
    ProgressSnapshot last = seen().back();
    EXPECT_EQ(last.done_bytes, 100u);
    EXPECT_EQ(last.item, "sda1");
    EXPECT_EQ(last.item_done_bytes, 100u);
    EXPECT_DOUBLE_EQ(last.percent(), 100.0);
}

TEST_F(SinkTest, AProgressWithoutASinkTellsNoOtherJobsSink) {
    // One job's sink while another job's Progress runs: nothing process-wide links them.
    Progress listened(ProgressStyle::none, "save", sink());
    Progress other(ProgressStyle::none, "check");
    listened.start();
    other.start();
    other.add(1);
    other.stop();
    listened.stop();
    ASSERT_FALSE(seen().empty()) << "the sink did not hear its own Progress";
    for (const auto& s : seen()) EXPECT_EQ(s.operation, "save");
}

}  // namespace
}  // namespace kura
