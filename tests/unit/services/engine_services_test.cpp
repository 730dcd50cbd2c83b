// The menu's real services against image files and repositories made here: jobs run
// through the engine, each with the progress sink of its own JobContext, plans come from
// dry runs that write nothing, the image needs are what restoredisk itself accepts, and nothing touches
// this machine's network, keymap or power when it is not the kura live system.
#include "tui/engine_services.h"

#include "core/error.h"
#include "ptable_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace kura::tui {
namespace {

using test::make_image;
using test::must;
using test::sh;
using test::TempDir;

constexpr std::uint64_t kMiB = 1 << 20;

bool on_live_system() { return std::filesystem::exists("/etc/kura-live"); }

EngineServicesOptions menu_options(std::vector<std::string> only_devices = {}) {
    EngineServicesOptions options;
    options.only_devices = std::move(only_devices);
    options.log_path = "/var/log/kura-menu.log";
    return options;
}

// An ext4 with a few files in a fresh file of `mib` MiB.
std::string make_ext4(const TempDir& dir, const std::string& name, std::uint64_t mib) {
    std::string tree = dir.file(name + "-tree");
    std::filesystem::create_directories(tree);
    must("head -c 3000000 /dev/urandom > " + sh(tree + "/random.bin"));
    must("seq 1 200000 > " + sh(tree + "/numbers.txt"));
    std::string path = make_image(dir, name, mib * kMiB);
    must("mke2fs -q -F -t ext4 -d " + sh(tree) + " " + sh(path));
    return path;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class EngineServicesTest : public ::testing::Test {
protected:
    void SetUp() override {
        repo = dir.file("repo");
        std::filesystem::create_directories(repo);
    }

    Job job(JobMode mode, const std::string& image, std::vector<std::string> devices) {
        Job j;
        j.mode = mode;
        j.repo = repo;
        j.image = image;
        j.devices = std::move(devices);
        j.split_mb = 1;
        return j;
    }

    // Runs the job and keeps every snapshot the observer was given.
    JobResult run(const Job& j) {
        snapshots.clear();
        return services.run(j, [this](const ProgressSnapshot& s) {
            std::lock_guard lock(mutex);
            snapshots.push_back(s);
        });
    }

    TempDir dir;
    std::string repo;
    EngineServices services{menu_options()};
    std::mutex mutex;
    std::vector<ProgressSnapshot> snapshots;
};

TEST_F(EngineServicesTest, SavesRestoresAndChecksPartitionsThroughTheEngine) {
    std::string src = make_ext4(dir, "src.img", 32);
    RepositoryStatus empty = services.open_repository(repo, "");
    EXPECT_EQ(empty.location, repo);
    EXPECT_EQ(empty.describe, repo);
    EXPECT_GT(empty.free_bytes, 0u);
    EXPECT_TRUE(empty.images.empty());

    // The plan is a dry run: nothing in the repository afterwards.
    Job save = job(JobMode::saveparts, "parts-img", {src});
    Plan plan = services.plan(save);
    EXPECT_EQ(plan.mode, "saveparts");
    ASSERT_EQ(plan.items.size(), 1u);
    EXPECT_EQ(plan.items[0].fs_type, "ext4");
    EXPECT_TRUE(std::filesystem::is_empty(repo));

    JobResult saved = run(save);
    ASSERT_TRUE(saved.ok) << saved.message.text;
    EXPECT_EQ(saved.exit_code, 0);
    EXPECT_EQ(saved.bytes, plan.total_used_bytes());
    EXPECT_EQ(saved.log_path, "/var/log/kura-menu.log");
    ASSERT_FALSE(snapshots.empty()) << "the observer heard nothing";
    bool final_save_seen = false;
    for (const auto& s : snapshots)
        if (s.operation == "save" && s.done_bytes == s.total_bytes && s.item == "src.img" &&
            s.item_done_bytes == s.item_total_bytes && s.item_total_bytes == saved.bytes)
            final_save_seen = true;
    EXPECT_TRUE(final_save_seen) << "no final save snapshot with full item counts";
    // The image records the command that does the same job.
    EXPECT_EQ(read_file(repo + "/parts-img/Info-saved-by-cmd.txt"), equivalent_command(save) + "\n");

    RepositoryStatus status = services.open_repository(repo, "");
    ASSERT_EQ(status.images.size(), 1u);
    EXPECT_EQ(status.images[0].name, "parts-img");

    std::vector<ImageNeed> needs = services.image_needs("parts-img", JobMode::restoreparts);
    ASSERT_EQ(needs.size(), 1u);
    EXPECT_EQ(needs[0].name, "src.img");
    EXPECT_EQ(needs[0].fs_type, "ext4");
    EXPECT_EQ(needs[0].min_bytes, 32 * kMiB);
    EXPECT_EQ(needs[0].source_bytes, 32 * kMiB);

    std::string target = make_image(dir, "target.img", 32 * kMiB);
    Job restore = job(JobMode::restoreparts, "parts-img", {target});
    Plan restore_plan = services.plan(restore);
    EXPECT_EQ(restore_plan.mode, "restoreparts");
    EXPECT_EQ(read_file(target), std::string(32 * kMiB, '\0')) << "the plan wrote to the target";
    JobResult restored = run(restore);
    ASSERT_TRUE(restored.ok) << restored.message.text;
    EXPECT_EQ(restored.bytes, saved.bytes);
    EXPECT_TRUE(read_file(target) == read_file(src)) << "the restored partition differs from its source";

    Job check = job(JobMode::checkimage, "parts-img", {});
    Plan check_plan = services.plan(check);
    EXPECT_EQ(check_plan.mode, "checkimage");
    EXPECT_EQ(check_plan.total_used_bytes(), saved.bytes);
    JobResult checked = run(check);
    ASSERT_TRUE(checked.ok) << checked.message.text;
    EXPECT_EQ(checked.bytes, saved.bytes);
}

// Two saves in one kura-menu session: each image's log (Clonezilla's clonezilla-img) holds
// its own job's lines and none of the job before, and each job's progress reaches only
// its own job's sink.
TEST_F(EngineServicesTest, TheSecondSaveOfASessionCarriesNoLineOfTheFirst) {
    std::string alpha = make_ext4(dir, "alpha.img", 16);
    std::string beta = make_ext4(dir, "beta.img", 16);
    services.open_repository(repo, "");

    JobResult first = run(job(JobMode::saveparts, "monday-img", {alpha}));
    ASSERT_TRUE(first.ok) << first.message.text;
    std::vector<ProgressSnapshot> first_snapshots = snapshots;
    JobResult second = run(job(JobMode::saveparts, "tuesday-img", {beta}));
    ASSERT_TRUE(second.ok) << second.message.text;

    std::string first_log = read_file(repo + "/monday-img/clonezilla-img");
    std::string second_log = read_file(repo + "/tuesday-img/clonezilla-img");
    // Each log holds its own job's work...
    EXPECT_NE(first_log.find("saving " + alpha + " (ext4) as alpha.img"), std::string::npos) << first_log;
    EXPECT_NE(second_log.find("saving " + beta + " (ext4) as beta.img"), std::string::npos) << second_log;
    // ...and nothing of the job before it: not its source, not its image.
    EXPECT_EQ(second_log.find("alpha"), std::string::npos) << second_log;
    EXPECT_EQ(second_log.find("monday-img"), std::string::npos) << second_log;
    EXPECT_EQ(first_log.find("beta"), std::string::npos) << first_log;

    ASSERT_FALSE(first_snapshots.empty());
    ASSERT_FALSE(snapshots.empty());
    for (const auto& s : first_snapshots) EXPECT_NE(s.item, "beta.img");
    for (const auto& s : snapshots)
        EXPECT_NE(s.item, "alpha.img") << "the first job's progress reached the second's sink";
}

TEST_F(EngineServicesTest, AFailedJobSaysWhyWithItsExitCode) {
    std::string src = make_ext4(dir, "src.img", 16);
    Job save = job(JobMode::saveparts, "twice", {src});
    ASSERT_TRUE(run(save).ok);
    JobResult again = run(save);
    EXPECT_FALSE(again.ok);
    EXPECT_EQ(again.exit_code, static_cast<int>(ExitCode::target_refused));
    EXPECT_NE(again.message.text.find("already exists"), std::string::npos) << again.message.text;
    EXPECT_EQ(again.log_path, "/var/log/kura-menu.log");

    Job bad = job(JobMode::restoreparts, "no-such-image", {dir.file("nothing")});
    EXPECT_THROW(services.plan(bad), Error);
}

TEST_F(EngineServicesTest, DiskImageNeedsAreWhatRestoreDiskAccepts) {
    // An MBR disk whose last partition ends at 60 MiB of its 100 MiB.
    std::string disk = make_image(dir, "disk.img", 100 * kMiB);
    must("printf 'label: dos\\nstart=2048, size=40M, type=83\\nsize=18M, type=83\\n' | sfdisk -q " + sh(disk));
    std::string fs = make_ext4(dir, "p1.img", 40);
    must("dd if=" + sh(fs) + " of=" + sh(disk) + " bs=1M seek=1 conv=notrunc status=none");
    RepositoryStatus status = services.open_repository(repo, "");
    ASSERT_TRUE(status.images.empty());
    Job save = job(JobMode::savedisk, "disk-img", {disk});
    JobResult saved = run(save);
    ASSERT_TRUE(saved.ok) << saved.message.text;

    std::vector<ImageNeed> needs = services.image_needs("disk-img", JobMode::restoredisk);
    ASSERT_EQ(needs.size(), 1u);
    EXPECT_EQ(needs[0].name, "disk");
    EXPECT_EQ(needs[0].min_bytes, (2048 + 40 * 2048 + 18 * 2048) * 512ull);
    EXPECT_EQ(needs[0].source_bytes, 100 * kMiB);
    // The source's identity, so the menu can tell the disk the image came from.
    EXPECT_EQ(needs[0].source_identity, describe_disk_file(disk).identity());

    // One sector less is refused by the engine's own plan; exactly the need is accepted.
    std::string small = make_image(dir, "small.img", needs[0].min_bytes - 512);
    EXPECT_THROW(services.plan(job(JobMode::restoredisk, "disk-img", {small})), Error);
    std::string least = make_image(dir, "least.img", needs[0].min_bytes);
    Job restore = job(JobMode::restoredisk, "disk-img", {least});
    EXPECT_NO_THROW(services.plan(restore));
    JobResult restored = run(restore);
    ASSERT_TRUE(restored.ok) << restored.message.text;
    EXPECT_EQ(restored.bytes, saved.bytes);

    // A larger target: the plan's warning carries its id and the target, for the catalogs.
    std::string larger = make_image(dir, "larger.img", 200 * kMiB);
    Plan plan = services.plan(job(JobMode::restoredisk, "disk-img", {larger}));
    auto warning = std::find_if(plan.warnings.begin(), plan.warnings.end(),
                                [](const Message& m) { return m.id == "plan.target_larger_disk"; });
    ASSERT_NE(warning, plan.warnings.end()) << plan.describe();
    EXPECT_NE(warning->text.find("--grow extends the last partition"), std::string::npos);
    ASSERT_EQ(warning->args.size(), 1u);
    EXPECT_EQ(warning->args[0].first, "target");
    EXPECT_NE(plan.describe().find("warning: " + warning->text), std::string::npos);
}

TEST_F(EngineServicesTest, DisksSayWhichPartitionTableTheyHold) {
    std::string image = make_image(dir, "gpt.img", 64 * kMiB);
    must("printf 'label: gpt\\nstart=2048, size=20M, type=L\\n' | sfdisk -q " + sh(image));
    std::string blank = make_image(dir, "blank.img", 64 * kMiB);
    std::string gpt_loop = must("losetup -f --show " + sh(image));
    std::string blank_loop = must("losetup -f --show " + sh(blank));
    gpt_loop.erase(gpt_loop.find_last_not_of('\n') + 1);
    blank_loop.erase(blank_loop.find_last_not_of('\n') + 1);
    EngineServices confined{menu_options({gpt_loop, blank_loop})};
    std::vector<DiskInfo> disks = confined.disks();
    must("losetup -d " + gpt_loop + " " + blank_loop);
    ASSERT_EQ(disks.size(), 2u);
    for (const auto& d : disks) {
        if (d.path == gpt_loop) EXPECT_EQ(d.partition_table, "gpt");
        else EXPECT_EQ(d.partition_table, "") << d.path;
    }
}

TEST_F(EngineServicesTest, SmbWithoutAPasswordIsRefusedBeforeAnyPrompt) {
    ::unsetenv("KURA_SMB_PASSWORD");
    ::unsetenv("KURA_SMB_CREDENTIALS");
    try {
        services.open_repository("smb://backup@127.0.0.1:1/images?protocol=SMB3", "");
        FAIL() << "opened without a password";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::usage);
        EXPECT_EQ(std::string(e.what()).find("protocol"), std::string::npos) << e.what();
    }
}

TEST_F(EngineServicesTest, MalformedNfs4LocationsAreRefusedBeforeMounting) {
    for (const char* location : {"nfs4://", "nfs4://server", "nfs4:///export", "nfs4://server:x/export"}) {
        try {
            services.open_repository(location, "");
            ADD_FAILURE() << location << " accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ExitCode::usage) << location << ": " << e.what();
        }
    }
}

TEST_F(EngineServicesTest, ImageNeedsWithoutARepositoryIsAnError) {
    EXPECT_THROW(services.image_needs("x", JobMode::restoredisk), Error);
}

TEST_F(EngineServicesTest, LoopbackIsListedWithItsAddress) {
    bool found = false;
    for (const auto& nic : services.network_interfaces())
        if (nic.name == "lo") {
            found = true;
            EXPECT_TRUE(nic.loopback);
            EXPECT_TRUE(nic.link_up);
            EXPECT_EQ(nic.mac, "");
            EXPECT_NE(std::find(nic.addresses.begin(), nic.addresses.end(), "127.0.0.1/8"), nic.addresses.end());
        }
    EXPECT_TRUE(found);
}

TEST_F(EngineServicesTest, OffTheLiveSystemTheMachineIsLeftAlone) {
    if (on_live_system()) GTEST_SKIP() << "this is the kura live system: reboot would reboot it";
    ::unsetenv("KURA_ALLOW_NETWORK_SETUP");
    NetworkSettings keep;
    keep.mode = AddressMode::keep;
    EXPECT_NO_THROW(services.configure_network(keep));
    NetworkSettings dhcp;
    dhcp.interface = "lo";
    dhcp.mode = AddressMode::dhcp;
    try {
        services.configure_network(dhcp);
        FAIL() << "network setup off the live system";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("keep the current settings"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(services.load_keymap("us"));
    EXPECT_FALSE(services.reboot());
    EXPECT_FALSE(services.power_off());
}

}  // namespace
}  // namespace kura::tui
