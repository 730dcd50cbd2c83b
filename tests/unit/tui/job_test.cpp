// The menu's job in the engine's terms: the same requests, with the same defaults, as the
// `kura` command line builds, and the command line that does the same job.
#include "tui/job.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace kura::tui {
namespace {

Job save_job(JobMode mode) {
    Job job;
    job.mode = mode;
    job.repo = "/home/partimag";
    job.image = "2026-01-02-03-img";
    job.devices = {"wwid:naa.5000c500a1b2c3d4"};
    return job;
}

TEST(Job, ModeNames) {
    EXPECT_STREQ(job_mode_name(JobMode::savedisk), "savedisk");
    EXPECT_STREQ(job_mode_name(JobMode::restoredisk), "restoredisk");
    EXPECT_STREQ(job_mode_name(JobMode::saveparts), "saveparts");
    EXPECT_STREQ(job_mode_name(JobMode::restoreparts), "restoreparts");
    EXPECT_STREQ(job_mode_name(JobMode::checkimage), "checkimage");
}

TEST(Job, SaveDiskRequestHasTheCliDefaults) {
    Job job = save_job(JobMode::savedisk);
    job.only_devices = {"/dev/loop3"};
    SaveRequest r = save_disk_request(job);
    EXPECT_EQ(r.scope, SaveScope::disks);
    EXPECT_EQ(r.image, "2026-01-02-03-img");
    EXPECT_EQ(r.sources, job.devices);
    ASSERT_NE(r.settings.codec, nullptr);
    EXPECT_EQ(r.settings.codec->name, "zstd");
    EXPECT_EQ(r.settings.compress.level, 3);
    unsigned cores = std::thread::hardware_concurrency();
    EXPECT_EQ(r.settings.compress.threads, static_cast<int>(cores ? cores : 1));
    EXPECT_EQ(r.settings.split_bytes, 4096000000ull);  // the CLI's default --split 4096
    EXPECT_TRUE(r.verify);
    EXPECT_FALSE(r.repair_first);
    EXPECT_FALSE(r.dry_run);
    EXPECT_FALSE(r.resume);
    EXPECT_EQ(r.discovery.only, job.only_devices);
    EXPECT_EQ(r.command_line, equivalent_command(job));
}

TEST(Job, SavePartsRequestCarriesTheChoices) {
    Job job = save_job(JobMode::saveparts);
    job.devices = {"/dev/sda1", "/dev/sda2"};
    job.codec = "gzip";
    job.level = 9;
    job.split_mb = 0;
    job.verify = false;
    job.fsck_first = true;
    SaveRequest r = save_parts_request(job);
    EXPECT_EQ(r.scope, SaveScope::partitions);
    EXPECT_EQ(r.sources, job.devices);
    EXPECT_EQ(r.settings.codec->name, "gzip");
    EXPECT_EQ(r.settings.compress.level, 9);
    EXPECT_EQ(r.settings.split_bytes, 0u);  // one file, as --split 0
    EXPECT_FALSE(r.verify);
    EXPECT_TRUE(r.repair_first);
    EXPECT_EQ(r.command_line, "kura saveparts --repo /home/partimag -z gzip --level 9 --split 0 --no-verify --fsck "
                              "2026-01-02-03-img /dev/sda1 /dev/sda2");
}

TEST(Job, UncompressedHasNoLevelAndBadChoicesAreRefusedLikeTheCli) {
    Job job = save_job(JobMode::saveparts);
    job.codec = "none";
    job.level = 42;  // ignored for none
    EXPECT_EQ(save_parts_request(job).settings.codec->name, "none");
    EXPECT_EQ(equivalent_command(job).find("--level"), std::string::npos);
    job.codec = "zstd";
    try {
        save_parts_request(job);
        FAIL() << "level 42 accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::usage);
    }
    job.codec = "lz4";
    EXPECT_THROW(save_disk_request(job), Error);
}

TEST(Job, RestoreRequests) {
    Job job = save_job(JobMode::restoredisk);
    job.devices = {"serial:WD-1234", "/dev/loop7"};
    job.check_first = true;
    job.grow = true;
    job.only_devices = {"/dev/loop7"};
    RestoreRequest d = restore_disk_request(job);
    EXPECT_EQ(d.scope, RestoreScope::disks);
    EXPECT_EQ(d.targets, job.devices);
    EXPECT_TRUE(d.grow);
    EXPECT_TRUE(d.check_first);
    EXPECT_FALSE(d.dry_run);
    EXPECT_EQ(d.discovery.only, job.only_devices);

    job.mode = JobMode::restoreparts;
    RestoreRequest p = restore_parts_request(job);
    EXPECT_EQ(p.scope, RestoreScope::partitions);
    EXPECT_EQ(p.targets, job.devices);
    EXPECT_TRUE(p.check_first);
    EXPECT_FALSE(p.grow);
}

TEST(Job, EquivalentCommandsInTheirFixedForms) {
    Job job = save_job(JobMode::savedisk);
    EXPECT_EQ(equivalent_command(job), "kura savedisk --repo /home/partimag -z zstd --level 3 --split 4096 "
                                       "2026-01-02-03-img wwid:naa.5000c500a1b2c3d4");
    job.fsck_first = true;
    job.only_devices = {"/dev/loop3", "/dev/loop4"};
    EXPECT_EQ(equivalent_command(job), "kura savedisk --repo /home/partimag -z zstd --level 3 --split 4096 --fsck "
                                       "--devices /dev/loop3,/dev/loop4 2026-01-02-03-img wwid:naa.5000c500a1b2c3d4");

    Job restore = save_job(JobMode::restoredisk);
    restore.repo = "smb://backup@nas/images";
    EXPECT_TRUE(restore.check_first);  // the menu checks before restoring unless told not to
    restore.check_first = false;
    EXPECT_EQ(equivalent_command(restore),
              "kura restoredisk --repo smb://backup@nas/images --yes 2026-01-02-03-img wwid:naa.5000c500a1b2c3d4");
    restore.check_first = restore.grow = true;
    EXPECT_EQ(equivalent_command(restore), "kura restoredisk --repo smb://backup@nas/images --check-first --grow --yes "
                                           "2026-01-02-03-img wwid:naa.5000c500a1b2c3d4");

    Job parts = save_job(JobMode::restoreparts);
    parts.devices = {"/dev/sdb1"};
    parts.grow = true;  // restoreparts has no --grow
    EXPECT_EQ(equivalent_command(parts),
              "kura restoreparts --repo /home/partimag --check-first --yes 2026-01-02-03-img /dev/sdb1");

    Job check = save_job(JobMode::checkimage);
    EXPECT_EQ(equivalent_command(check), "kura checkimage --repo /home/partimag 2026-01-02-03-img");
}

TEST(Job, EquivalentCommandQuotesForTheShell) {
    Job job = save_job(JobMode::restoreparts);
    job.repo = "smb://OFFICE;backup@nas/my images?protocol=SMB3";
    job.devices = {"serial:WD 1234"};
    EXPECT_EQ(equivalent_command(job), "kura restoreparts --repo 'smb://OFFICE;backup@nas/my images?protocol=SMB3' "
                                       "--check-first --yes 2026-01-02-03-img 'serial:WD 1234'");
}

TEST(Job, EquivalentCommandLinesBreakBetweenWordsAndPasteIntoAShell) {
    Job job = save_job(JobMode::savedisk);
    job.repo = "dev:/dev/disk/by-label/KURA-IMAGES";
    job.image = "2026-12-07-13-img";
    job.devices = {"serial:QM00001-with-a-long-serial-number"};
    std::vector<std::string> lines = equivalent_command_lines(job, 40);
    ASSERT_GT(lines.size(), 1u);
    std::string joined;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i + 1 < lines.size()) {
            ASSERT_GE(lines[i].size(), 2u);
            EXPECT_EQ(lines[i].substr(lines[i].size() - 2), " \\") << lines[i];
            joined += lines[i].substr(0, lines[i].size() - 2) + " ";
        } else {
            joined += lines[i];
        }
        // Never wider than asked, unless one option with its value alone is.
        if (lines[i].size() > 40) {
            std::string body = lines[i].substr(2, lines[i].size() - 4);
            EXPECT_LE(std::count(body.begin(), body.end(), ' '), 1) << lines[i];
        }
    }
    // The words, in order, each whole: an option keeps its value on its line.
    std::string collapsed;
    for (std::size_t i = 0; i < joined.size(); ++i)
        if (!(joined[i] == ' ' && (collapsed.empty() || collapsed.back() == ' '))) collapsed += joined[i];
    EXPECT_EQ(collapsed, equivalent_command(job));
    for (const auto& line : lines) {
        EXPECT_FALSE(line.ends_with("--split \\")) << line;
    }
    // "--repo VALUE" (41 columns) does not fit in 40 with its indent: option and value part,
    // each on a line of its own; in 60 they stay together.
    EXPECT_NE(std::find(lines.begin(), lines.end(), "  dev:/dev/disk/by-label/KURA-IMAGES \\"), lines.end());
    for (const auto& line : equivalent_command_lines(job, 60)) EXPECT_FALSE(line.ends_with("--repo \\")) << line;
    EXPECT_EQ(equivalent_command_lines(job, 500), std::vector<std::string>{equivalent_command(job)});
}

}  // namespace
}  // namespace kura::tui
