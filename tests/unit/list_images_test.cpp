#include "image/manifest.h"
#include "memory_repository.h"
#include "ops/list_images.h"
#include "ops/save_journal.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

void add_kura_image(test::MemoryRepository& repo, const std::string& dir, bool complete, bool verified) {
    Manifest m;
    m.engine = "kura test";
    m.created = "2026-01-02T03:04:05Z";
    m.complete = complete;
    m.verified = verified;
    ManifestPart part;
    part.name = "sda1";
    part.fs_type = "ext4";
    part.compression = "zstd";
    part.files = {{"sda1.ext4-ptcl-img.zst.aa", 3, {}}};
    m.parts.push_back(part);
    repo.make_directory(dir);
    write_text_file(repo, dir + "/kura-manifest", m.to_text());
    write_text_file(repo, dir + "/parts", "sda1\n");
    write_text_file(repo, dir + "/sda1.ext4-ptcl-img.zst.aa", "abc");
}

TEST(ListImages, ReadsStateFromManifestPartsFileAndPartialName) {
    test::MemoryRepository repo;
    add_kura_image(repo, "done", true, true);
    add_kura_image(repo, "unfinished", false, false);
    repo.make_directory("clonezilla");
    write_text_file(repo, "clonezilla/parts", "sda1 sda2\n");
    repo.make_directory(".kura-partial-killed");
    write_text_file(repo, ".kura-partial-killed/sda1.ext4-ptcl-img.zst.aa", "12345");
    repo.make_directory("lost+found");
    write_text_file(repo, "stray-file", "x");

    std::vector<ImageEntry> images = list_images(repo);
    ASSERT_EQ(images.size(), 4u);
    // Sorted by directory name: ".kura-partial-killed", "clonezilla", "done", "unfinished".
    EXPECT_EQ(images[0].name, "killed");
    EXPECT_EQ(images[0].state, ImageState::incomplete);
    EXPECT_FALSE(images[0].restorable());
    EXPECT_EQ(images[0].bytes, 5u);

    EXPECT_EQ(images[1].name, "clonezilla");
    EXPECT_EQ(images[1].state, ImageState::complete_unknown);
    EXPECT_EQ(images[1].parts, (std::vector<std::string>{"sda1", "sda2"}));
    EXPECT_TRUE(images[1].restorable());

    EXPECT_EQ(images[2].name, "done");
    EXPECT_EQ(images[2].state, ImageState::complete);
    EXPECT_TRUE(images[2].verified);
    EXPECT_EQ(images[2].created, "2026-01-02T03:04:05Z");
    EXPECT_EQ(images[2].parts, (std::vector<std::string>{"sda1 (ext4)"}));

    EXPECT_EQ(images[3].state, ImageState::incomplete);
    EXPECT_FALSE(images[3].restorable());
}

TEST(ListImages, AnInterruptedSaveWithAJournalIsResumableButNeverRestorable) {
    test::MemoryRepository repo;
    repo.make_directory(".kura-partial-night");
    SaveJournal j;
    j.image = "night";
    j.engine = "kura 0.1.0";
    j.created = "2026-02-03T04:05:06Z";
    j.codec = "zstd";
    j.sources = {{"sda1", "/dev/sda1"}, {"sda2", "/dev/sda2"}};
    write_save_journal(repo, ".kura-partial-night", j);
    // A `parts` file as well, as if someone copied one in: still not an image.
    write_text_file(repo, ".kura-partial-night/parts", "sda1 sda2\n");
    std::vector<ImageEntry> images = list_images(repo);
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ(images[0].name, "night");
    EXPECT_EQ(images[0].state, ImageState::incomplete);
    EXPECT_TRUE(images[0].resumable);
    EXPECT_FALSE(images[0].restorable());
    EXPECT_EQ(images[0].created, "2026-02-03T04:05:06Z");
    EXPECT_EQ(images[0].parts, (std::vector<std::string>{"sda1", "sda2"}));

    // A damaged journal: incomplete and not resumable.
    for (const char* name : kJournalFiles) repo.files[std::string(".kura-partial-night/") + name] = "garbage\n";
    images = list_images(repo);
    EXPECT_FALSE(images[0].resumable);
    EXPECT_EQ(images[0].state, ImageState::incomplete);
}

TEST(ListImages, UnreadableManifestIsNotVouchedFor) {
    test::MemoryRepository repo;
    repo.make_directory("broken");
    write_text_file(repo, "broken/kura-manifest", "this is not a manifest\n");
    std::vector<ImageEntry> images = list_images(repo);
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ(images[0].state, ImageState::incomplete);
}

}  // namespace
}  // namespace kura
