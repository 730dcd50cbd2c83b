// The resume journal: what is written reads back field for field, and any damage - a cut,
// a changed byte, a wrong version, a missing checkpoint - is reported as such instead of
// resuming from a wrong point. Of its two copies the newest whole one wins.
#include "core/error.h"
#include "core/sha256.h"
#include "ops/save_journal.h"
#include "memory_repository.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

SaveJournal sample_journal() {
    SaveJournal j;
    j.image = "img-2026";
    j.engine = "kura 0.1.0";
    j.created = "2026-11-25T05:40:00Z";
    j.codec = "zstd";
    j.level = 3;
    j.split_bytes = 4096000000;
    j.resumes = 2;
    j.sources = {{"sda1", "/dev/sda1"}, {"disk_with_space.img", "/var/tmp/a dir/100% disk.img"}};
    ManifestPart done;
    done.name = "sda1";
    done.source = "/dev/sda1";
    done.fs_type = "ext4";
    done.compression = "zstd";
    done.device_bytes = 1 << 30;
    done.block_size = 4096;
    done.total_blocks = 262144;
    done.used_blocks = 1000;
    done.seconds = 1.5;
    done.files = {{"sda1.ext4-ptcl-img.zst.aa", 123, std::string(64, 'a')}};
    j.completed.push_back(done);
    SaveJournal::InProgress cur;
    cur.name = "disk_with_space.img";
    cur.source.device_bytes = 8 << 20;
    cur.source.fs_type = "ext4";
    cur.source.fs_uuid = "0b7c-11";
    cur.source.header_hex = std::string(220, 'f');
    cur.source.bitmap_sha256 = std::string(64, 'b');
    cur.source.head_sha256 = std::string(64, 'c');
    cur.checkpoint.encoder = {5000, 17, 0xDEADBEEF};
    cur.checkpoint.next_block = 5123;
    cur.checkpoint.stream_bytes = 20480110;
    cur.checkpoint.output.finished = {{"disk_with_space.img.ext4-ptcl-img.zst.aa", 1000000, std::string(64, 'd')}};
    cur.checkpoint.output.current_bytes = 4242;
    cur.checkpoint.output.current_sha256 = std::string(64, 'e');
    j.current = cur;
    return j;
}

// The body of a journal text and a correct closing line for another body, so a test can
// damage the content while the checksum still matches it.
std::string body_of(const std::string& text) { return text.substr(0, text.rfind("sha256 ")); }
std::string sealed(const std::string& body) {
    Sha256 h;
    h.update(body.data(), body.size());
    return body + "sha256 " + h.hex_digest() + "\n";
}

TEST(SaveJournal, RoundTripsEveryField) {
    SaveJournal j = sample_journal();
    j.sequence = 9;
    SaveJournal back = SaveJournal::parse(j.to_text(), "j");
    EXPECT_EQ(back.to_text(), j.to_text());
    EXPECT_EQ(back.sequence, 9u);
    EXPECT_EQ(back.engine, "kura 0.1.0");
    EXPECT_EQ(back.split_bytes, 4096000000u);
    ASSERT_EQ(back.sources.size(), 2u);
    EXPECT_EQ(back.sources[1].path, "/var/tmp/a dir/100% disk.img");
    ASSERT_EQ(back.completed.size(), 1u);
    EXPECT_EQ(back.completed[0].used_blocks, 1000u);
    EXPECT_EQ(back.completed[0].files[0].sha256, std::string(64, 'a'));
    ASSERT_TRUE(back.current);
    EXPECT_EQ(back.current->name, "disk_with_space.img");
    EXPECT_EQ(back.current->source, j.current->source);
    EXPECT_EQ(back.current->checkpoint.encoder.crc_state, 0xDEADBEEFu);
    EXPECT_EQ(back.current->checkpoint.encoder.in_group, 17u);
    EXPECT_EQ(back.current->checkpoint.next_block, 5123u);
    EXPECT_EQ(back.current->checkpoint.output.finished.size(), 1u);
    EXPECT_EQ(back.current->checkpoint.output.current_bytes, 4242u);

    // Between partitions there is no partition in progress.
    j.current.reset();
    EXPECT_FALSE(SaveJournal::parse(j.to_text(), "j").current);
}

void expect_damaged(const std::string& text, const std::string& says) {
    try {
        SaveJournal::parse(text, "/repo/.kura-partial-img/.kura-resume.a");
        FAIL() << "accepted a damaged journal; expected: " << says;
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt);
        std::string what = e.what();
        EXPECT_NE(what.find("/repo/.kura-partial-img/.kura-resume.a: damaged resume journal"), std::string::npos)
            << what;
        EXPECT_NE(what.find(says), std::string::npos) << what;
    }
}

TEST(SaveJournal, TornOrChangedCopiesAreRefused) {
    std::string good = sample_journal().to_text();
    expect_damaged("", "ends in the middle");
    expect_damaged(good.substr(0, good.size() / 2), "");  // cut short, wherever
    expect_damaged(good.substr(0, good.size() - 1), "ends in the middle");
    expect_damaged(body_of(good), "checksum is missing");
    std::string other_point = good;
    other_point.replace(other_point.find("next_block=5123"), 15, "next_block=5923");
    expect_damaged(other_point, "checksum does not match");
}

TEST(SaveJournal, WrongVersionOrIncompleteContentIsRefused) {
    std::string body = body_of(sample_journal().to_text());
    std::string v2 = body;
    v2.replace(0, 13, "kura-resume 2");
    expect_damaged(sealed(v2), "format 2, this kura reads format 1");
    expect_damaged(sealed("hello 1\n"), "not a kura resume journal");

    std::string no_position = body;
    auto at = no_position.find("position ");
    no_position.erase(at, no_position.find('\n', at) + 1 - at);
    expect_damaged(sealed(no_position), "no complete checkpoint");

    std::string bad_number = body;
    bad_number.replace(bad_number.find("crc_state=3735928559"), 20, "crc_state=99999999999");
    expect_damaged(sealed(bad_number), "line 16: field crc_state '99999999999' is more than 4294967295");

    std::string orphan_file = body;
    orphan_file.replace(orphan_file.find("file sda1 "), 10, "file sdz9 ");
    expect_damaged(sealed(orphan_file), "finished partitions");

    std::string unknown = body + "wobble 1\n";
    expect_damaged(sealed(unknown), "unknown record 'wobble'");
}

TEST(SaveJournal, TwoCopiesTheNewestWholeOneWins) {
    test::MemoryRepository repo;
    repo.make_directory("p");
    EXPECT_FALSE(read_save_journal(repo, "p"));

    SaveJournal j = sample_journal();
    write_save_journal(repo, "p", j);  // sequence 1 -> .b
    j.current->checkpoint.next_block = 6000;
    write_save_journal(repo, "p", j);  // sequence 2 -> .a
    EXPECT_TRUE(repo.exists(std::string("p/") + kJournalFiles[0]));
    EXPECT_TRUE(repo.exists(std::string("p/") + kJournalFiles[1]));
    auto back = read_save_journal(repo, "p");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->sequence, 2u);
    EXPECT_EQ(back->current->checkpoint.next_block, 6000u);

    // Killed while writing sequence 3 into .b: .a still holds sequence 2.
    std::string& torn = repo.files[std::string("p/") + kJournalFiles[1]];
    torn.resize(torn.size() / 3);
    back = read_save_journal(repo, "p");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->sequence, 2u);
    // The next write replaces the torn copy, not the good one.
    write_save_journal(repo, "p", *back);
    EXPECT_EQ(read_save_journal(repo, "p")->sequence, 3u);

    // Both copies damaged: an error that says so, never a guess.
    for (const char* name : kJournalFiles) repo.files[std::string("p/") + name] = "kura-resume 1\n";
    EXPECT_THROW(read_save_journal(repo, "p"), Error);

    remove_save_journal(repo, "p");
    EXPECT_FALSE(read_save_journal(repo, "p"));
}

}  // namespace
}  // namespace kura
