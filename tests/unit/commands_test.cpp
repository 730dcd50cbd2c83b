// The commands as the fronts call them - save_image, check_image, restore_image - against a
// MemoryRepository and ext4 filesystems made by mke2fs into files of a temporary directory:
// what a save writes restores byte for byte, a damaged piece fails the check and the
// restore before anything is written, both save scopes obey the same rules, and each job's
// image carries its own log lines only.
#include "codec/codec.h"
#include "core/error.h"
#include "core/log.h"
#include "core/sha256.h"
#include "memory_repository.h"
#include "ops/check_image.h"
#include "ops/job_context.h"
#include "ops/opened_image.h"
#include "ops/restore_image.h"
#include "ops/save_image.h"
#include "ptable_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace kura {
namespace {

using test::MemoryRepository;
using test::must;
using test::sh;
using test::TempDir;

constexpr std::uint64_t kMiB = 1 << 20;

std::string file_sha256(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Sha256 hash;
    hash.update(bytes.data(), bytes.size());
    return hash.hex_digest();
}

class Commands : public ::testing::Test {
protected:
    // An ext4 filesystem of `mib` MiB holding a few files of incompressible data, made by
    // mke2fs -d into a zeroed file, so its unused blocks are zeros.
    std::string make_ext4(const std::string& name, std::uint64_t mib = 16) {
        std::string tree = dir_.file(name + ".tree");
        must("mkdir -p " + sh(tree) + "/sub");
        must("head -c 300000 /dev/urandom > " + sh(tree + "/a.bin"));
        must("head -c 70000 /dev/urandom > " + sh(tree + "/sub/b.bin"));
        must("echo " + name + " > " + sh(tree + "/name.txt"));
        std::string path = test::make_image(dir_, name, mib * kMiB);
        must("mke2fs -q -F -t ext4 -d " + sh(tree) + " " + sh(path) + " 2>&1");
        return path;
    }

    SaveRequest save_request(SaveScope scope, const std::string& image, const std::string& source) {
        SaveRequest r;
        r.scope = scope;
        r.image = image;
        r.sources = {source};
        r.settings.codec = codec_by_name("zstd");
        r.settings.compress.level = 3;
        r.settings.compress.threads = 2;
        r.settings.split_bytes = 256 * 1024;  // several pieces, so one of them can be damaged
        r.command_line = "kura test";
        return r;
    }

    SaveOutcome save(const SaveRequest& request) {
        JobContext ctx;
        ctx.progress_style = ProgressStyle::none;
        return save_image(request, repo_, ctx, [](const Plan&) {});
    }

    // The save is refused with exit 2 and a message saying `why`, before anything is written.
    void expect_usage_error(const SaveRequest& request, const std::string& why) {
        try {
            save(request);
            ADD_FAILURE() << save_scope_verb(request.scope) << " was not refused: " << why;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ExitCode::usage) << e.what();
            EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
        }
    }

    static JobContext& quiet(JobContext& ctx) {
        ctx.progress_style = ProgressStyle::none;
        return ctx;
    }

    // The data file of the image that holds its n-th piece (.aa, .ab, ...).
    std::string piece(const std::string& image, const std::string& suffix) {
        for (const auto& [path, data] : repo_.files)
            if (path.rfind(image + "/", 0) == 0 && path.find("-ptcl-img.") != std::string::npos &&
                path.size() > 3 && path.compare(path.size() - 3, 3, "." + suffix) == 0)
                return path;
        ADD_FAILURE() << "no piece ." << suffix << " in " << image;
        return {};
    }

    TempDir dir_;
    MemoryRepository repo_;
};

TEST_F(Commands, SavedPartitionRestoresByteForByteAndChecks) {
    const std::string source = make_ext4("src.img");
    Plan shown;
    JobContext save_ctx;
    SaveOutcome saved = save_image(save_request(SaveScope::partitions, "img", source), repo_, quiet(save_ctx),
                                   [&](const Plan& plan) { shown = plan; });
    EXPECT_EQ(shown.mode, "saveparts");
    ASSERT_EQ(shown.items.size(), 1u);
    EXPECT_EQ(shown.items[0].name, "src.img");
    EXPECT_EQ(shown.items[0].fs_type, "ext4");
    EXPECT_GT(shown.items[0].used_bytes, 370000u);  // the files, at least
    EXPECT_TRUE(saved.manifest.verified);
    EXPECT_EQ(repo_.files.at("img/parts"), "src.img\n");
    EXPECT_FALSE(repo_.exists("img/disk"));  // a partition image has no disk layer

    const OpenedImage image = OpenedImage::open(repo_, "img");
    JobContext check_ctx;
    CheckSummary checked = check_image(repo_, image, quiet(check_ctx));
    EXPECT_EQ(checked.bytes, shown.items[0].used_bytes);
    EXPECT_EQ(checked.parts_without_checksums, 0u);

    // Onto a zeroed file: the used blocks come back, the unused ones were zeros already.
    const std::string target = test::make_image(dir_, "target.img", 16 * kMiB);
    RestoreRequest request;
    request.targets = {target};
    request.check_first = true;
    JobContext restore_ctx;
    Plan confirmed;
    RestoreSummary restored = restore_image(request, repo_, image, quiet(restore_ctx), [&](const Plan& plan) {
        confirmed = plan;
        return true;
    });
    EXPECT_EQ(confirmed.mode, "restoreparts");
    EXPECT_EQ(restored.bytes, shown.items[0].used_bytes);
    EXPECT_EQ(file_sha256(target), file_sha256(source));
    EXPECT_EQ(test::run("e2fsck -f -n " + sh(target) + " 2>&1").status, 0);
}

TEST_F(Commands, WholeDiskFilesystemTakesTheDiskLayerAndRestoresAsADisk) {
    // A filesystem on a whole "disk" (an image file without a partition table).
    const std::string source = make_ext4("vdb.img");
    SaveOutcome saved = save(save_request(SaveScope::disks, "disk-img", source));
    EXPECT_EQ(saved.plan.mode, "savedisk");
    EXPECT_EQ(repo_.files.at("disk-img/disk"), "vdb\n");
    EXPECT_EQ(repo_.files.at("disk-img/parts"), "vdb\n");
    ASSERT_EQ(saved.manifest.disks.size(), 1u);
    EXPECT_EQ(saved.manifest.disks[0].name, "vdb");

    const OpenedImage image = OpenedImage::open(repo_, "disk-img");
    const std::string target = test::make_image(dir_, "new-disk.img", 20 * kMiB);
    RestoreRequest request;
    request.scope = RestoreScope::disks;
    request.targets = {target};
    JobContext ctx;
    restore_image(request, repo_, image, quiet(ctx), [](const Plan&) { return true; });
    EXPECT_EQ(test::run("e2fsck -f -n " + sh(target) + " 2>&1").status, 0);
    EXPECT_EQ(test::must("debugfs -R 'cat /name.txt' " + sh(target) + " 2>/dev/null"), "vdb.img\n");
}

TEST_F(Commands, DamagedPieceFailsTheCheckAndTheRestoreWritesNothing) {
    const std::string source = make_ext4("src.img");
    save(save_request(SaveScope::partitions, "img", source));
    std::string& data = repo_.files.at(piece("img", "ab"));
    data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0x5a);
    const OpenedImage image = OpenedImage::open(repo_, "img");

    JobContext check_ctx;
    try {
        check_image(repo_, image, quiet(check_ctx));
        FAIL() << "a damaged piece passed the check";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt) << e.what();
        EXPECT_NE(std::string(e.what()).find("src.img"), std::string::npos) << e.what();
    }

    const std::string target = test::make_image(dir_, "target.img", 16 * kMiB);
    const std::string before = file_sha256(target);
    RestoreRequest request;
    request.targets = {target};
    request.check_first = true;
    JobContext restore_ctx;
    try {
        restore_image(request, repo_, image, quiet(restore_ctx), [](const Plan&) { return true; });
        FAIL() << "a damaged image was restored";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt) << e.what();
    }
    EXPECT_EQ(file_sha256(target), before);
}

TEST_F(Commands, TargetSmallerThanTheFilesystemIsRefusedForPartitionsAndDisks) {
    const std::string source = make_ext4("vdb.img");
    save(save_request(SaveScope::partitions, "parts-img", source));
    save(save_request(SaveScope::disks, "disk-img", source));
    const std::string small = test::make_image(dir_, "small.img", 8 * kMiB);
    const std::string before = file_sha256(small);
    for (auto [image_name, scope] : {std::pair{"parts-img", RestoreScope::partitions},
                                     std::pair{"disk-img", RestoreScope::disks}}) {
        const OpenedImage image = OpenedImage::open(repo_, image_name);
        RestoreRequest request;
        request.scope = scope;
        request.targets = {small};
        JobContext ctx;
        bool asked = false;
        try {
            restore_image(request, repo_, image, quiet(ctx), [&](const Plan&) { return asked = true; });
            ADD_FAILURE() << image_name << ": a target too small was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ExitCode::target_refused) << e.what();
            // One rule, one message, whichever verb.
            EXPECT_EQ(std::string(e.what()), small + " is too small for partition vdb" +
                                                 (scope == RestoreScope::disks ? "" : ".img") +
                                                 ": it has 8.4 MB (8388608 bytes), the filesystem needs 16.8 MB "
                                                 "(16777216 bytes)");
        }
        EXPECT_FALSE(asked) << "the plan was shown for a target that cannot take it";
    }
    EXPECT_EQ(file_sha256(small), before);
}

TEST_F(Commands, BothScopesRefuseTooManyPiecesAndAResumeOfNothingEvenInADryRun) {
    const std::string source = make_ext4("vdb.img");
    for (SaveScope scope : {SaveScope::partitions, SaveScope::disks}) {
        SaveRequest request = save_request(scope, "img", source);
        request.settings.codec = codec_by_name("none");
        request.settings.compress.level = 0;
        request.settings.split_bytes = 1024;  // some 400 KiB of data: far more than aa..zz
        request.dry_run = true;
        expect_usage_error(request, "more than 676 pieces");

        request = save_request(scope, "img", source);
        request.resume = true;
        request.dry_run = true;
        expect_usage_error(request, "no interrupted save of img");
    }
    EXPECT_FALSE(repo_.exists("img"));
}

TEST_F(Commands, EachSaveOfOneProcessCarriesOnlyItsOwnLog) {
    // kura-menu runs one job after another in one process: the second image's log must not
    // hold the first save's lines.
    const std::string first = make_ext4("first.img");
    const std::string second = make_ext4("second.img");
    save(save_request(SaveScope::partitions, "one", first));
    log::info("between the jobs");
    save(save_request(SaveScope::partitions, "two", second));

    const std::string& one = repo_.files.at("one/clonezilla-img");
    const std::string& two = repo_.files.at("two/clonezilla-img");
    EXPECT_NE(one.find("saving " + first), std::string::npos) << one;
    EXPECT_NE(two.find("saving " + second), std::string::npos) << two;
    EXPECT_EQ(two.find(first), std::string::npos) << two;
    EXPECT_EQ(two.find("between the jobs"), std::string::npos) << two;
    EXPECT_EQ(one.find(second), std::string::npos) << one;
}

}  // namespace
}  // namespace kura
