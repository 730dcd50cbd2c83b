// ImageSaveSession end to end on a repository in memory: a save whose repository fails
// after some checkpoints is kept, resumed (also twice), and ends with the same streams as an
// uninterrupted save - for a Partclone stream and for a dd stream. A failure before the
// first checkpoint leaves nothing; a changed source is refused and the partial image kept.
#include "codec/codec.h"
#include "core/error.h"
#include "core/sha256.h"
#include "image/image_layout.h"
#include "image/split_files.h"
#include "memory_repository.h"
#include "ops/image_save_session.h"
#include "ops/save_journal.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>

#include <unistd.h>

namespace kura {
namespace {

// Data files stop being accepted after `budget` bytes: the repository "goes away".
struct FlakyRepository : test::MemoryRepository {
    std::uint64_t budget = ~0ull;

    struct Flaky : WritableFile {
        Flaky(std::unique_ptr<WritableFile> inner, std::uint64_t& budget) : inner(std::move(inner)), budget(budget) {}
        void write(const void* p, std::size_t n) override {
            if (n > budget) {
                budget = 0;
                throw Error(ExitCode::io_error, "the repository went away");
            }
            budget -= n;
            inner->write(p, n);
        }
        void sync() override { inner->sync(); }
        void close() override { inner->close(); }
        std::unique_ptr<WritableFile> inner;
        std::uint64_t& budget;
    };
    std::unique_ptr<WritableFile> wrap(std::unique_ptr<WritableFile> f, const std::string& p) {
        if (p.find("-ptcl-img") == std::string::npos) return f;
        return std::make_unique<Flaky>(std::move(f), budget);
    }
    std::unique_ptr<WritableFile> create_file(const std::string& p) override {
        return wrap(MemoryRepository::create_file(p), p);
    }
    std::unique_ptr<WritableFile> reopen_file(const std::string& p, std::uint64_t keep) override {
        return wrap(MemoryRepository::reopen_file(p, keep), p);
    }
};

class ImageSaveSessionTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("kura-session-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        settings_.codec = codec_by_name("zstd");
        settings_.compress = {3, 1};
        settings_.split_bytes = 3000000;
        raw_ = make_raw("disk.raw", 18u << 20);
        fs_ = make_fs("fs.img", 8192, 4096);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write_file(const std::string& name, std::uint64_t bytes, unsigned seed) {
        std::string path = dir_ / name;
        std::mt19937 rng(seed);
        std::ofstream out(path, std::ios::binary);
        std::vector<char> chunk(1 << 16);
        for (std::uint64_t done = 0; done < bytes; done += chunk.size()) {
            // Half random, half text: compressible but not trivially.
            for (std::size_t i = 0; i < chunk.size(); ++i)
                chunk[i] = static_cast<char>((i / 4096) % 2 ? rng() : 'a' + (i * 7 + done) % 23);
            out.write(chunk.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(chunk.size(), bytes - done)));
        }
        return path;
    }
    PartitionSource make_raw(const std::string& name, std::uint64_t bytes) {
        PartitionSource s = inspect_raw_partition(write_file(name, bytes, 1), name);
        return s;
    }
    // A "filesystem" known only by its bitmap: every third block free.
    PartitionSource make_fs(const std::string& name, std::uint64_t blocks, std::uint32_t bs) {
        PartitionSource s;
        s.path = write_file(name, blocks * bs, 2);
        s.name = name;
        s.probe.type = "ext4";
        s.probe.uuid = "1234";
        s.device_bytes = blocks * bs;
        s.map.partclone_tag = "EXTFS";
        s.map.block_size = bs;
        s.map.device_size = blocks * bs;
        s.map.used = Bitmap(blocks);
        for (std::uint64_t b = 0; b < blocks; ++b)
            if (b % 3 != 1) s.map.used.set(b);
        return s;
    }

    // The uncompressed stream of a partition in an image directory.
    static std::string stream_of(const Repository& repo, const std::string& dir, const std::string& part) {
        DataFiles files = find_data_files(repo, dir, part);
        SplitReader pieces(repo, dir, files.names);
        auto d = files.codec->make_decompressor(pieces, part);
        std::string out, buf(1 << 20, '\0');
        while (std::size_t n = d->read(buf.data(), buf.size())) out.append(buf.data(), n);
        return out;
    }

    // Runs a save through the session; returns the exit code it failed with, or ok.
    ExitCode save(Repository& repo, bool resume, std::uint64_t interval = 1 << 20) {
        std::unique_ptr<ImageSaveSession> s = resume ? ImageSaveSession::resume(repo, "img", settings_)
                                                     : ImageSaveSession::start(repo, "img", settings_);
        s->set_checkpoint_interval(interval);
        s->check_sources({fs_, raw_});
        try {
            Progress progress(ProgressStyle::none, "save");
            progress.add_already_done(s->bytes_already_saved());
            s->save(fs_, progress);
            s->save(raw_, progress);
            s->finish(true, ProgressStyle::none, {}, [&](const Manifest&) { s->write_file("parts", "fs.img disk.raw\n"); });
            return ExitCode::ok;
        } catch (const Error& e) {
            s->abandon(e.code());
            return e.code();
        }
    }

    std::filesystem::path dir_;
    SaveSettings settings_;
    PartitionSource raw_, fs_;
};

TEST_F(ImageSaveSessionTest, InterruptedTwiceThenResumedEndsWithTheSameStreams) {
    test::MemoryRepository reference;
    ASSERT_EQ(save(reference, false, 0), ExitCode::ok);

    FlakyRepository repo;
    // The reference streams compress to about 11 MB (fs.img) and 9.5 MB (disk.raw).
    repo.budget = 8u << 20;  // inside the first partition
    ASSERT_EQ(save(repo, false), ExitCode::io_error);
    ASSERT_TRUE(repo.is_directory(".kura-partial-img")) << "a save with checkpoints must be kept";
    auto journal = read_save_journal(repo, ".kura-partial-img");
    ASSERT_TRUE(journal);
    ASSERT_TRUE(journal->current);
    EXPECT_EQ(journal->current->name, "fs.img");
    EXPECT_GT(journal->current->checkpoint.encoder.blocks_written, 0u);

    repo.budget = 10u << 20;  // this time it fails inside the dd partition, after a checkpoint in it
    ASSERT_EQ(save(repo, true), ExitCode::io_error);
    journal = read_save_journal(repo, ".kura-partial-img");
    ASSERT_TRUE(journal);
    ASSERT_EQ(journal->completed.size(), 1u);
    ASSERT_TRUE(journal->current);
    EXPECT_EQ(journal->current->name, "disk.raw");
    EXPECT_GT(journal->current->checkpoint.raw_bytes, 0u);
    EXPECT_EQ(journal->resumes, 1);

    repo.budget = ~0ull;
    ASSERT_EQ(save(repo, true), ExitCode::ok);
    EXPECT_FALSE(repo.exists(".kura-partial-img"));
    for (const char* name : kJournalFiles) EXPECT_FALSE(repo.exists(std::string("img/") + name));
    EXPECT_EQ(stream_of(repo, "img", "fs.img"), stream_of(reference, "img", "fs.img"));
    EXPECT_EQ(stream_of(repo, "img", "disk.raw"), stream_of(reference, "img", "disk.raw"));
    auto manifest = read_manifest(repo, "img");
    ASSERT_TRUE(manifest);
    EXPECT_TRUE(manifest->complete);
    EXPECT_TRUE(manifest->verified);
    EXPECT_EQ(manifest->resumes, 2);
    // Every piece's recorded digest is that of its bytes (the verification checked it too).
    for (const auto& p : manifest->parts)
        for (const auto& f : p.files) {
            Sha256 h;
            const std::string& bytes = repo.files.at("img/" + f.name);
            h.update(bytes.data(), bytes.size());
            EXPECT_EQ(h.hex_digest(), f.sha256) << f.name;
        }
}

TEST_F(ImageSaveSessionTest, KilledBetweenPartitionsAndWhileFinishingIsResumedToo) {
    test::MemoryRepository reference;
    ASSERT_EQ(save(reference, false, 0), ExitCode::ok);
    std::uint64_t first_part = 0;
    for (const auto& [path, data] : reference.files)
        if (path.rfind("img/fs.img.", 0) == 0) first_part += data.size();

    // The second partition has begun, but not reached its first checkpoint.
    FlakyRepository repo;
    repo.budget = first_part + 300000;
    ASSERT_EQ(save(repo, false), ExitCode::io_error);
    auto journal = read_save_journal(repo, ".kura-partial-img");
    ASSERT_TRUE(journal);
    EXPECT_EQ(journal->completed.size(), 1u);
    EXPECT_FALSE(journal->current);
    EXPECT_TRUE(repo.exists(".kura-partial-img/disk.raw.dd-ptcl-img.zst.aa")) << "the test needs a begun piece";

    // The resumed run saves the rest and dies while writing the metadata files.
    repo.budget = ~0ull;
    {
        auto s = ImageSaveSession::resume(repo, "img", settings_);
        s->set_checkpoint_interval(1 << 20);
        s->check_sources({fs_, raw_});
        Progress progress(ProgressStyle::none, "save");
        s->save(fs_, progress);
        s->save(raw_, progress);
        try {
            s->finish(false, ProgressStyle::none, {}, [&](const Manifest&) {
                s->write_file("parts", "fs.img disk.raw\n");
                throw Error(ExitCode::cancelled, "interrupted");
            });
            FAIL();
        } catch (const Error& e) {
            s->abandon(e.code());
        }
    }
    EXPECT_TRUE(repo.exists(".kura-partial-img/kura-manifest"));
    EXPECT_TRUE(repo.exists(".kura-partial-img/parts"));
    // Even with a `parts` file and a manifest inside, a partial directory is no image.
    EXPECT_FALSE(repo.exists("img"));

    ASSERT_EQ(save(repo, true), ExitCode::ok);
    EXPECT_EQ(stream_of(repo, "img", "fs.img"), stream_of(reference, "img", "fs.img"));
    EXPECT_EQ(stream_of(repo, "img", "disk.raw"), stream_of(reference, "img", "disk.raw"));
    EXPECT_EQ(read_manifest(repo, "img")->resumes, 2);
}

// The job's sink hears the save and its verification (save_all passes it down); nothing
// else is needed for the menu's progress screen.
TEST_F(ImageSaveSessionTest, TheJobsSinkHearsTheSaveAndItsVerification) {
    test::MemoryRepository repo;
    std::mutex mutex;
    std::set<std::string> operations;
    std::uint64_t saved_bytes = 0;
    ProgressSink sink = [&](const ProgressSnapshot& s) {
        std::lock_guard lock(mutex);
        operations.insert(s.operation);
        if (s.operation == "save") saved_bytes = s.done_bytes;
    };
    auto session = ImageSaveSession::start(repo, "img", settings_);
    session->check_sources({fs_, raw_});
    const std::uint64_t total = fs_.map.used.count() * fs_.map.block_size + raw_.device_bytes;
    save_all(*session, {fs_, raw_}, total, true, ProgressStyle::none, sink,
             [&](const Manifest&) { session->write_file("parts", "fs.img disk.raw\n"); });
    EXPECT_EQ(operations, (std::set<std::string>{"save", "verify"}));
    EXPECT_EQ(saved_bytes, total) << "the final save snapshot did not reach the sink";
    EXPECT_TRUE(repo.exists("img/kura-manifest"));
}

// A job's own cancel token stops it between buffers, as a signal does: the save fails
// with exit 8 saying who stopped it, and (no checkpoint yet) leaves nothing behind.
TEST_F(ImageSaveSessionTest, TheJobsCancelTokenStopsTheSave) {
    test::MemoryRepository repo;
    CancelToken cancel;
    cancel.request();
    auto session = ImageSaveSession::start(repo, "img", settings_);
    session->check_sources({fs_, raw_});
    try {
        save_all(*session, {fs_, raw_}, 0, true, ProgressStyle::none, {}, [](const Manifest&) {}, cancel);
        FAIL() << "the save ran to its end";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::cancelled);
        EXPECT_STREQ(e.what(), "stopped by the operator");
    }
    EXPECT_FALSE(repo.exists("img"));
    EXPECT_FALSE(repo.exists(partial_image_name("img")));
}

TEST_F(ImageSaveSessionTest, AFailureBeforeTheFirstCheckpointLeavesNothing) {
    FlakyRepository repo;
    repo.budget = 200000;
    ASSERT_EQ(save(repo, false, 64u << 20), ExitCode::io_error);
    EXPECT_FALSE(repo.exists(".kura-partial-img"));
    try {
        ImageSaveSession::resume(repo, "img", settings_);
        FAIL() << "resumed a save that does not exist";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::usage);
        EXPECT_NE(std::string(e.what()).find("no interrupted save of img in memory: to resume"), std::string::npos)
            << e.what();
    }
}

TEST_F(ImageSaveSessionTest, AChangedSourceOrOtherSettingsAreRefusedAndThePartialImageKept) {
    FlakyRepository repo;
    repo.budget = 6u << 20;
    ASSERT_EQ(save(repo, false), ExitCode::io_error);
    std::map<std::string, std::string> before = repo.files;

    SaveSettings gzip = settings_;
    gzip.codec = codec_by_name("gzip");
    try {
        ImageSaveSession::resume(repo, "img", gzip);
        FAIL() << "resumed with another codec";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::usage);
        EXPECT_NE(std::string(e.what()).find("-z zstd"), std::string::npos) << e.what();
    }

    // One more used block: what writing a file does to the bitmap.
    PartitionSource changed = fs_;
    changed.map.used.set(1);
    auto s = ImageSaveSession::resume(repo, "img", settings_);
    try {
        s->check_sources({changed, raw_});
        FAIL() << "resumed onto a changed source";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::source_unsupported);
        EXPECT_NE(std::string(e.what()).find("changed since the interrupted save of img (its used blocks changed"),
                  std::string::npos)
            << e.what();
        s->abandon(e.code());
    }
    s.reset();  // it holds the name's lock: one session of an image at a time
    // Other partitions than the interrupted save's.
    try {
        auto t = ImageSaveSession::resume(repo, "img", settings_);
        t->check_sources({fs_});
        FAIL() << "resumed with other partitions";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::usage);
    }
    EXPECT_EQ(repo.files, before) << "a refused resume must leave the partial image as it was";
}

}  // namespace
}  // namespace kura
