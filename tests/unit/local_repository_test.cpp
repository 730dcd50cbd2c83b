// The local backend's part of the resume contract: a file reopened at a length is cut back
// to it and written on from there, and a file shorter than what is to be kept is refused.
#include "core/error.h"
#include "repo/local_repository.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace kura {
namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(LocalRepository, ReopenCutsBackAndContinuesAndSyncKeepsTheFileOpen) {
    auto root = std::filesystem::temp_directory_path() / ("kura-local-repo-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root);
    LocalRepository repo(root.string());
    {
        auto f = repo.create_file("piece.aa");
        f->write("hello, world", 12);
        f->sync();  // durable so far, still open
        f->write(" and more", 9);
        f->close();
    }
    EXPECT_EQ(slurp(root / "piece.aa"), "hello, world and more");
    {
        auto f = repo.reopen_file("piece.aa", 5);
        EXPECT_EQ(repo.file_size("piece.aa"), 5u);
        f->write("!", 1);
        f->close();
    }
    EXPECT_EQ(slurp(root / "piece.aa"), "hello!");
    try {
        repo.reopen_file("piece.aa", 7);
        FAIL() << "lengthened a file";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt);
    }
    EXPECT_EQ(slurp(root / "piece.aa"), "hello!");
    EXPECT_THROW(repo.reopen_file("missing.aa", 0), Error);
    std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace kura
