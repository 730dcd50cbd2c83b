// Opening an image: only regular files are read from a local repository (a symlink or a
// FIFO is refused at once, never followed or waited on), and the names and sizes an image
// directory gives are checked before anything is looked up under them.
#include "core/error.h"
#include "memory_repository.h"
#include "ops/opened_image.h"
#include "repo/local_repository.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <sys/stat.h>
#include <unistd.h>

namespace kura {
namespace {

namespace fs = std::filesystem;

// The Error an action throws, so its code and message can be checked.
template <typename Action>
Error error_of(Action action) {
    try {
        action();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error thrown";
    return Error(ExitCode::ok, "");
}

class LocalFileTypes : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("kura-opened-" + std::to_string(::getpid()));
        fs::create_directories(root_ / "img");
        std::ofstream(root_ / "outside") << "secret";
        std::ofstream(root_ / "img" / "plain") << "data";
        fs::create_symlink(root_ / "outside", root_ / "img" / "link");
        ASSERT_EQ(::mkfifo((root_ / "img" / "fifo").c_str(), 0600), 0);
    }
    void TearDown() override { fs::remove_all(root_); }
    fs::path root_;
};

TEST_F(LocalFileTypes, EntriesAreSeenWithoutFollowingLinks) {
    LocalRepository repo(root_.string());
    std::map<std::string, EntryInfo> seen;
    for (const auto& e : repo.list_entries("img")) seen[e.name] = e.info;
    EXPECT_EQ(seen["plain"].kind, FileKind::regular);
    EXPECT_EQ(seen["plain"].bytes, 4u);
    EXPECT_EQ(seen["link"].kind, FileKind::other);
    EXPECT_EQ(seen["link"].bytes, 0u);  // not the size of what it points at
    EXPECT_EQ(seen["fifo"].kind, FileKind::other);
    EXPECT_EQ(repo.entry_info("img/none").kind, FileKind::missing);
    EXPECT_EQ(repo.entry_info("img").kind, FileKind::directory);
}

TEST_F(LocalFileTypes, OnlyRegularFilesAreOpenedReopenedOrMeasured) {
    LocalRepository repo(root_.string());
    EXPECT_EQ(read_text_file(repo, "img/plain"), "data");
    for (const char* name : {"img/link", "img/fifo"}) {
        Error e = error_of([&] { repo.open_file(name); });  // a FIFO must not block here
        EXPECT_EQ(e.code(), ExitCode::image_corrupt) << name;
        EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos);
        EXPECT_EQ(error_of([&] { repo.file_size(name); }).code(), ExitCode::image_corrupt) << name;
    }
    EXPECT_EQ(error_of([&] { repo.reopen_file("img/link", 0); }).code(), ExitCode::image_corrupt);
    std::ifstream in(root_ / "outside");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "secret");  // not cut back through the link
}

TEST(PlainFileName, RefusesEverythingThatLeadsOutOrHidesInTheTerminal) {
    EXPECT_TRUE(is_plain_file_name("sda1.ext4-ptcl-img.zst.aa"));
    for (const char* bad : {"", ".", "..", "../x", "a/b", "/etc/shadow", "a\nb", "a\x1b[2Jb"})
        EXPECT_FALSE(is_plain_file_name(bad)) << bad;
}

class ImageNames : public ::testing::Test {
protected:
    void SetUp() override {
        repo_.make_directory("img");
        write_text_file(repo_, "img/parts", "sda1\n");
    }
    Error open_error() {
        return error_of([&] { OpenedImage::open(repo_, "img", OpenDepth::metadata); });
    }
    test::MemoryRepository repo_;
};

TEST_F(ImageNames, DiskNamesMustStayInsideTheImage) {
    write_text_file(repo_, "img/disk", "../../somewhere/x\n");
    Error e = open_error();
    EXPECT_EQ(e.code(), ExitCode::image_corrupt);
    EXPECT_STREQ(e.what(), "img/disk: '../../somewhere/x' is not a disk name (a plain name inside the image directory)");
}

TEST_F(ImageNames, PartsMustBePartitionNamesOnceEach) {
    repo_.files["img/parts"] = "sda1 sda1\n";
    EXPECT_STREQ(open_error().what(), "img/parts: it names partition sda1 twice");
    repo_.files["img/parts"] = "../x\n";
    EXPECT_STREQ(open_error().what(), "img/parts: '../x' is not a partition name");
}

TEST_F(ImageNames, ManifestFilesMustBeThePartitionsOwnDataFiles) {
    write_text_file(repo_, "img/kura-manifest",
                    "kura-manifest 1\ncomplete yes\npart sda1 fs=ext4\nfile sda1 ../../../../etc/shadow 1\n");
    Error e = open_error();
    EXPECT_EQ(e.code(), ExitCode::image_corrupt);
    EXPECT_STREQ(e.what(), "img/kura-manifest: partition sda1 lists the file '../../../../etc/shadow', which is not "
                           "one of its data files inside the image directory");
}

TEST_F(ImageNames, MetadataFilesAreReadOnlyUpToTheirCap) {
    repo_.files["img/parts"] = std::string(70000, 'a') + "\n";
    Error e = open_error();
    EXPECT_EQ(e.code(), ExitCode::image_corrupt);
    EXPECT_STREQ(e.what(), "img/parts: it has 70001 bytes, more than the 65536 bytes a partition list can hold");
}

TEST_F(ImageNames, AGoodImageOpensWithItsNames) {
    write_text_file(repo_, "img/disk", "sda\n");
    OpenedImage image = OpenedImage::open(repo_, "img", OpenDepth::metadata);
    EXPECT_EQ(image.part_names(), std::vector<std::string>{"sda1"});
    EXPECT_EQ(image.disk_names(), std::vector<std::string>{"sda"});
    EXPECT_FALSE(image.complete_per_manifest());
    EXPECT_EQ(image.bytes(), 9u);
}

}  // namespace
}  // namespace kura
