// The image-name lock on a real local directory: taken, refused to a second taker naming
// the holder, released, a dead holder's marker taken over, another machine's refused; and
// the local backend's exclusive, owner-only creation it relies on.
#include "core/error.h"
#include "ops/image_write_lock.h"
#include "repo/local_repository.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kura {
namespace {

namespace fs = std::filesystem;

class ImageWriteLockTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("kura-lock-test-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    std::string marker_text() const {
        std::ifstream in(root_ / ".kura-lock-img");
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }
    void write_marker(const std::string& text) const { std::ofstream(root_ / ".kura-lock-img") << text; }

    // A pid that no process has: a child that has exited and been reaped.
    static pid_t dead_pid() {
        pid_t child = ::fork();
        if (child == 0) ::_exit(0);
        ::waitpid(child, nullptr, 0);
        return child;
    }

    fs::path root_;
};

TEST_F(ImageWriteLockTest, MarkerTextRoundTripsAndHalfWrittenOnesNameNobody) {
    LockHolder h = this_process_holder();
    EXPECT_EQ(h.pid, ::getpid());
    EXPECT_NE(h.process_start, 0u);
    EXPECT_EQ(h.token.size(), 32u);
    auto back = parse_lock_marker(h.to_text());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->host, h.host);
    EXPECT_EQ(back->boot, h.boot);
    EXPECT_EQ(back->pid, h.pid);
    EXPECT_EQ(back->process_start, h.process_start);
    EXPECT_EQ(back->since, h.since);
    EXPECT_EQ(back->token, h.token);
    EXPECT_FALSE(parse_lock_marker(""));
    EXPECT_FALSE(parse_lock_marker("kura-image-lock\nhost=x\n"));                      // cut short
    EXPECT_FALSE(parse_lock_marker("kura-image-lock\npid=abc\ntoken=t\n"));            // no number
    EXPECT_FALSE(parse_lock_marker("something else\npid=12\ntoken=t\n"));              // not a lock
    EXPECT_FALSE(holder_is_gone(h, this_process_holder())) << "this process is running";
}

TEST_F(ImageWriteLockTest, ASecondTakerIsRefusedNamingTheHolderAndReleaseRemovesTheMarker) {
    LocalRepository repo(root_.string());
    auto lock = ImageWriteLock::acquire(repo, "img");
    auto holder = parse_lock_marker(marker_text());
    ASSERT_TRUE(holder);
    EXPECT_EQ(holder->pid, ::getpid());
    EXPECT_EQ(holder->token, lock->token());
    try {
        ImageWriteLock::acquire(repo, "img");
        FAIL() << "the name was locked twice";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::target_refused);
        std::string text = e.what();
        EXPECT_NE(text.find("image img is being saved by another kura on this machine"), std::string::npos) << text;
        EXPECT_NE(text.find("pid " + std::to_string(::getpid()) + ", since " + holder->since), std::string::npos)
            << text;
    }
    EXPECT_NO_THROW(ImageWriteLock::acquire(repo, "other"));  // another name is free
    EXPECT_NO_THROW(lock->check_still_held());
    lock->release();
    EXPECT_FALSE(fs::exists(root_ / ".kura-lock-img"));
    EXPECT_FALSE(fs::exists(root_ / ".kura-lock-other"));
}

TEST_F(ImageWriteLockTest, ADeadHoldersMarkerIsTakenOver) {
    LockHolder dead = this_process_holder();
    dead.pid = dead_pid();
    dead.token = "0123";
    write_marker(dead.to_text());
    EXPECT_TRUE(holder_is_gone(dead, this_process_holder()));
    LocalRepository repo(root_.string());
    auto lock = ImageWriteLock::acquire(repo, "img");
    auto holder = parse_lock_marker(marker_text());
    ASSERT_TRUE(holder);
    EXPECT_EQ(holder->token, lock->token());
}

TEST_F(ImageWriteLockTest, AReusedPidWithAnotherStartTimeIsNotTheHolder) {
    // Our own pid, but a process that started at another time: the holder is gone.
    LockHolder earlier = this_process_holder();
    earlier.process_start -= 1;
    earlier.token = "0123";
    EXPECT_TRUE(holder_is_gone(earlier, this_process_holder()));
    write_marker(earlier.to_text());
    LocalRepository repo(root_.string());
    EXPECT_NO_THROW(ImageWriteLock::acquire(repo, "img"));
}

TEST_F(ImageWriteLockTest, AnotherMachinesLockIsRefusedWithHowToClearIt) {
    LockHolder other = this_process_holder();
    other.host = "backup02";
    other.boot = "another-boot";
    other.pid = dead_pid();  // dead here, but it ran elsewhere: nothing can be said
    other.token = "0123";
    write_marker(other.to_text());
    LocalRepository repo(root_.string());
    try {
        ImageWriteLock::acquire(repo, "img");
        FAIL() << "another machine's lock was taken";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::target_refused);
        std::string text = e.what();
        EXPECT_NE(text.find("on another machine (host backup02, pid " + std::to_string(other.pid)),
                  std::string::npos) << text;
        EXPECT_NE(text.find("delete " + root_.string() + "/.kura-lock-img and save again"), std::string::npos) << text;
    }
    EXPECT_EQ(marker_text(), other.to_text()) << "a refused taker must leave the marker alone";
}

TEST_F(ImageWriteLockTest, AMarkerThatNamesNobodyIsRefusedAfterAMoment) {
    write_marker("");
    LocalRepository repo(root_.string());
    try {
        ImageWriteLock::acquire(repo, "img");
        FAIL() << "an empty marker was ignored";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::target_refused);
        EXPECT_NE(std::string(e.what()).find("which names no holder"), std::string::npos) << e.what();
    }
}

TEST_F(ImageWriteLockTest, ALockTakenOverMeanwhileIsNoLongerHeldAndNotRemoved) {
    LocalRepository repo(root_.string());
    auto lock = ImageWriteLock::acquire(repo, "img");
    LockHolder thief = this_process_holder();
    fs::remove(root_ / ".kura-lock-img");
    write_marker(thief.to_text());
    try {
        lock->check_still_held();
        FAIL() << "a lost lock counted as held";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::target_refused);
        EXPECT_NE(std::string(e.what()).find("another save took it over"), std::string::npos) << e.what();
    }
    lock->release();
    EXPECT_EQ(marker_text(), thief.to_text());
}

TEST_F(ImageWriteLockTest, LocalCreationIsExclusiveAndOwnerOnlyWhateverTheUmask) {
    LocalRepository repo(root_.string());
    mode_t old = ::umask(0);
    repo.make_directory("d");
    auto f = repo.create_file("d/f");
    f->write("x", 1);
    f->close();
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat((root_ / "d").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    ASSERT_EQ(::stat((root_ / "d/f").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_THROW(repo.create_file("d/f"), AlreadyExists);
    EXPECT_THROW(repo.make_directory("d"), AlreadyExists);
    // Through a symlink neither: O_EXCL does not follow one.
    fs::create_symlink(root_ / "elsewhere", root_ / "d/link");
    EXPECT_THROW(repo.create_file("d/link"), AlreadyExists);
    EXPECT_FALSE(fs::exists(root_ / "elsewhere"));
}

}  // namespace
}  // namespace kura
