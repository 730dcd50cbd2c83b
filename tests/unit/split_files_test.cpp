#include "image/split_files.h"

#include "core/error.h"
#include "image/image_layout.h"
#include "memory_repository.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

TEST(SplitSuffix, FollowsSplitDashA2) {
    EXPECT_EQ(split_suffix(0), "aa");
    EXPECT_EQ(split_suffix(1), "ab");
    EXPECT_EQ(split_suffix(26), "ba");
    EXPECT_EQ(split_suffix(675), "zz");
    EXPECT_THROW(split_suffix(676), Error);
    EXPECT_EQ(split_index("ba"), 26);
    EXPECT_EQ(split_index("a"), -1);
    EXPECT_EQ(split_index("aaa"), -1);
}

TEST(SplitWriter, CutsPiecesOfExactlyTheSplitSize) {
    test::MemoryRepository repo;
    repo.make_directory("img");
    SplitWriter w(repo, "img", "sda1.ext4-ptcl-img.zst", 1000);
    std::string data(2500, 'x');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
    w.write(data.data(), 300);
    w.write(data.data() + 300, 2200);
    w.close();
    ASSERT_EQ(w.files().size(), 3u);
    EXPECT_EQ(w.files()[0].name, "sda1.ext4-ptcl-img.zst.aa");
    EXPECT_EQ(w.files()[2].name, "sda1.ext4-ptcl-img.zst.ac");
    EXPECT_EQ(repo.files["img/sda1.ext4-ptcl-img.zst.aa"].size(), 1000u);
    EXPECT_EQ(repo.files["img/sda1.ext4-ptcl-img.zst.ab"].size(), 1000u);
    EXPECT_EQ(repo.files["img/sda1.ext4-ptcl-img.zst.ac"].size(), 500u);

    SplitReader r(repo, "img", {w.files()[0].name, w.files()[1].name, w.files()[2].name});
    std::string back(3000, '\0');
    back.resize(read_fully(r, back.data(), back.size()));
    EXPECT_EQ(back, data);
}

TEST(SplitWriter, RecordsEachPiecesSha256AndTheReaderChecksIt) {
    test::MemoryRepository repo;
    repo.make_directory("img");
    SplitWriter w(repo, "img", "sda1.dd-ptcl-img.uncomp", 3);
    w.write("abcdef", 6);
    w.close();
    ASSERT_EQ(w.files().size(), 2u);
    // FIPS 180-2's example: SHA-256("abc").
    EXPECT_EQ(w.files()[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    std::vector<std::string> names{w.files()[0].name, w.files()[1].name};
    std::vector<std::string> sums{w.files()[0].sha256, w.files()[1].sha256};

    char back[8];
    SplitReader good(repo, "img", names, sums);
    EXPECT_EQ(read_fully(good, back, sizeof back), 6u);
    EXPECT_NO_THROW(good.check_sha256());

    repo.files["img/sda1.dd-ptcl-img.uncomp.ab"] = "deX";  // same size, other bytes
    SplitReader bad(repo, "img", names, sums);
    EXPECT_EQ(read_fully(bad, back, sizeof back), 6u);
    try {
        bad.check_sha256();
        FAIL() << "a changed piece was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt);
        EXPECT_NE(std::string(e.what()).find("sda1.dd-ptcl-img.uncomp.ab"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("SHA-256"), std::string::npos) << e.what();
    }
    SplitReader unchecked(repo, "img", names, {"", ""});
    EXPECT_EQ(read_fully(unchecked, back, sizeof back), 6u);
    EXPECT_NO_THROW(unchecked.check_sha256());
}

TEST(SplitWriter, ExactMultipleOpensNoEmptyPieceAndZeroMeansOneFile) {
    test::MemoryRepository repo;
    repo.make_directory("img");
    SplitWriter w(repo, "img", "a.ext4-ptcl-img.zst", 100);
    std::string data(200, 'y');
    w.write(data.data(), data.size());
    w.close();
    EXPECT_EQ(w.files().size(), 2u);

    SplitWriter one(repo, "img", "b.ext4-ptcl-img.gz", 0);
    one.write(data.data(), data.size());
    one.close();
    ASSERT_EQ(one.files().size(), 1u);
    EXPECT_EQ(one.files()[0].name, "b.ext4-ptcl-img.gz");
}

// What an uninterrupted writer produces, to compare a resumed one with.
std::vector<StoredFile> write_all(test::MemoryRepository& repo, const std::string& base, const std::string& data,
                                  std::uint64_t piece) {
    SplitWriter w(repo, "img", base, piece);
    w.write(data.data(), data.size());
    w.close();
    return w.files();
}

TEST(SplitWriter, ResumesAtACheckpointAndEndsExactlyLikeAnUninterruptedWriter) {
    std::string data(2600, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + i / 7);
    for (std::size_t cut : {0u, 250u, 1000u, 1234u, 2000u}) {
        test::MemoryRepository repo;
        repo.make_directory("img");
        auto expected = write_all(repo, "ref", data, 1000);

        SplitPosition at;
        {
            SplitWriter first(repo, "img", "p", 1000);
            first.write(data.data(), cut);
            first.sync();
            at = first.position();
            // More is written after the checkpoint, into a later piece too, then the run dies.
            first.write(data.data() + cut, std::min<std::size_t>(1500, data.size() - cut));
        }
        EXPECT_EQ(at.finished.size(), cut / 1000 - (cut % 1000 == 0 && cut > 0 ? 1 : 0)) << cut;
        SplitWriter resumed(repo, "img", "p", 1000, at);
        resumed.write(data.data() + cut, data.size() - cut);
        resumed.close();
        ASSERT_EQ(resumed.files().size(), expected.size()) << cut;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            EXPECT_EQ(resumed.files()[i].bytes, expected[i].bytes) << cut;
            EXPECT_EQ(resumed.files()[i].sha256, expected[i].sha256) << cut << " piece " << i;
            EXPECT_EQ(repo.files["img/" + resumed.files()[i].name], repo.files["img/" + expected[i].name]);
        }
        // Nothing of the interrupted run is left over beyond the pieces.
        EXPECT_EQ(repo.list("img").size(), 2 * expected.size()) << cut;
    }
}

TEST(SplitWriter, ResumeRefusesAPieceThatIsNotWhatWasMadeDurable) {
    test::MemoryRepository repo;
    repo.make_directory("img");
    std::string data(1500, 'q');
    SplitPosition at;
    {
        SplitWriter first(repo, "img", "p", 1000);
        first.write(data.data(), data.size());
        first.sync();
        at = first.position();
    }
    ASSERT_EQ(at.finished.size(), 1u);
    ASSERT_EQ(at.current_bytes, 500u);
    auto expect_corrupt = [&](const char* piece) {
        try {
            SplitWriter w(repo, "img", "p", 1000, at);
            FAIL() << "accepted a damaged " << piece;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ExitCode::image_corrupt);
            EXPECT_NE(std::string(e.what()).find(piece), std::string::npos) << e.what();
        }
    };
    std::string ab = repo.files["img/p.ab"];
    repo.files["img/p.ab"][10] = 'X';  // a byte of the kept prefix changed
    expect_corrupt("p.ab");
    repo.files["img/p.ab"] = ab.substr(0, 400);  // shorter than what was durable
    expect_corrupt("p.ab");
    repo.files["img/p.ab"] = ab;
    repo.files["img/p.aa"].pop_back();  // a finished piece lost its tail
    expect_corrupt("p.aa");
}

TEST(ImageLayout, FindsPiecesAndReportsAGap) {
    test::MemoryRepository repo;
    repo.make_directory("img");
    for (const char* name : {"sda1.ext4-ptcl-img.zst.aa", "sda1.ext4-ptcl-img.zst.ab", "sda10.ext4-ptcl-img.gz",
                             "sda1.files-b2sum.info.gz"})
        repo.files[std::string("img/") + name] = "data";
    DataFiles f = find_data_files(repo, "img", "sda1");
    EXPECT_EQ(f.fs_type, "ext4");
    ASSERT_NE(f.codec, nullptr);
    EXPECT_EQ(f.codec->name, "zstd");
    EXPECT_EQ(f.names, (std::vector<std::string>{"sda1.ext4-ptcl-img.zst.aa", "sda1.ext4-ptcl-img.zst.ab"}));
    EXPECT_EQ(find_data_files(repo, "img", "sda10").codec->name, "gzip");

    repo.files["img/sda1.ext4-ptcl-img.zst.ad"] = "data";  // .ac missing
    try {
        find_data_files(repo, "img", "sda1");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt);
        EXPECT_NE(std::string(e.what()).find("sda1.ext4-ptcl-img.zst.ac"), std::string::npos) << e.what();
    }
    EXPECT_THROW(find_data_files(repo, "img", "sdb1"), Error);
}

TEST(ImageLayout, ReadsOldNamesWithoutCompressionSuffix) {
    test::MemoryRepository repo;
    repo.make_directory("img");
    repo.files["img/hda1.ext3-img.aa"] = "x";
    repo.files["img/hda1.ext3-img.ab"] = "y";
    DataFiles f = find_data_files(repo, "img", "hda1");
    EXPECT_EQ(f.fs_type, "ext3");
    EXPECT_EQ(f.codec, nullptr);  // found from the bytes
    EXPECT_EQ(f.names.size(), 2u);
}

TEST(ImageLayout, ImageNamesFollowClonezillaRules) {
    EXPECT_NO_THROW(validate_image_name("2026-11-25-10-img"));
    EXPECT_THROW(validate_image_name("a"), Error);
    EXPECT_THROW(validate_image_name("my image"), Error);
    EXPECT_THROW(validate_image_name(".hidden"), Error);
    EXPECT_THROW(validate_image_name("x.ptcl-img"), Error);
    EXPECT_THROW(validate_image_name("../etc"), Error);
}

}  // namespace
}  // namespace kura
