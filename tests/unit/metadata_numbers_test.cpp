// A malformed number in a metadata file an image carries is damage (exit 4) naming the line
// and the field - never the library's "stod" with an internal error.
#include "core/error.h"
#include "core/sha256.h"
#include "image/manifest.h"
#include "ops/save_journal.h"
#include "ptable/clonezilla_table_files.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace kura {
namespace {

std::string refusal(const std::function<void()>& parse) {
    try {
        parse();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "accepted";
    return {};
}

std::string manifest_refusal(const std::string& text) {
    return refusal([&] { Manifest::parse(text); });
}

TEST(MetadataNumbers, ManifestNamesLineAndField) {
    const std::string head = "kura-manifest 1\nengine kura 0.1.0\n";
    EXPECT_EQ(manifest_refusal(head + "seconds abc\n"),
              "line 3: field seconds 'abc' is not a non-negative number of seconds");
    EXPECT_EQ(manifest_refusal(head + "part sda1 fs=ext4 seconds=1.5x\n"),
              "line 3: field seconds '1.5x' is not a non-negative number of seconds");
    EXPECT_EQ(manifest_refusal(head + "part sda1 fs=ext4 total_blocks=99999999999999999999\n"),
              "line 3: field total_blocks '99999999999999999999' is not a whole number from 0 to 18446744073709551615");
    EXPECT_EQ(manifest_refusal(head + "part sda1 block_size=4294967296\n"),
              "line 3: field block_size '4294967296' is more than 4294967295");
    EXPECT_EQ(manifest_refusal(head + "part sda1 used_blocks=-1\n"),
              "line 3: field used_blocks '-1' is not a whole number from 0 to 18446744073709551615");
    EXPECT_EQ(manifest_refusal(head + "part sda1\nfile sda1 sda1.ext4-ptcl-img.zst.aa 12kB\n"),
              "line 4: field bytes '12kB' is not a whole number from 0 to 18446744073709551615");
    EXPECT_EQ(manifest_refusal(head + "resumed 99999999999\n"), "line 3: field resumed '99999999999' is more than 2147483647");
    EXPECT_EQ(manifest_refusal(head + "disk sda bytes=1 logical_sector=1000\n"),
              "line 3: field logical_sector '1000' is not a power of two from 512");
    // What kura writes reads back.
    Manifest m;
    m.seconds = 1234567.125;
    m.parts.push_back({});
    m.parts.back().name = "sda1";
    m.parts.back().seconds = 0.000123;
    EXPECT_NO_THROW(Manifest::parse(m.to_text()));
}

TEST(MetadataNumbers, PartedDiskSizeNamesTheLine) {
    auto parted = [](const std::string& size) {
        return refusal([&] { parted_disk_sectors("Model: x (file)\nDisk /dev/sda: " + size + "\n"); });
    };
    EXPECT_NE(parted("99999999999999999999s").find("line 2: field disk size \"99999999999999999999s\""),
              std::string::npos);
    EXPECT_NE(parted("12x4s").find("line 2: field disk size"), std::string::npos);
    EXPECT_NE(parted("0s").find("line 2: field disk size"), std::string::npos);
    EXPECT_NE(parted("-5s").find("line 2"), std::string::npos);
    EXPECT_EQ(parted_disk_sectors("Disk /dev/sda: 18446744073709551615s\n"), UINT64_MAX);
}

// A forger recomputes the journal's closing SHA-256, so the digest is not what stops it.
std::string sealed(const std::string& body) {
    Sha256 h;
    h.update(body.data(), body.size());
    return body + "sha256 " + h.hex_digest() + "\n";
}

TEST(MetadataNumbers, ForgedResumeJournalNamesLineAndField) {
    SaveJournal j;
    j.image = "img";
    j.codec = "zstd";
    j.level = 3;
    j.split_bytes = 1000;
    j.sources.push_back({"sda1", "/dev/sda1"});
    const std::string good = j.to_text();
    auto forged = [&](const std::string& from, const std::string& to) {
        std::string body = good.substr(0, good.rfind("sha256 "));
        body.replace(body.find(from), from.size(), to);
        return refusal([&] { SaveJournal::parse(sealed(body), "/repo/.kura-partial-img/.kura-resume.a"); });
    };
    EXPECT_NE(forged("split 1000", "split 99999999999999999999").find("line 8: field split '99999999999999999999'"),
              std::string::npos);
    EXPECT_NE(forged("level 3", "level abc").find("line 7: field level 'abc'"), std::string::npos);
    EXPECT_NE(forged("level 3", "level 1000").find("line 7: field level '1000' is more than 99"), std::string::npos);
    EXPECT_NE(forged("resumes 0", "resumes -1").find("line 9: field resumes '-1'"), std::string::npos);
    std::string with_part = "source sda1 /dev/sda1\npart sda1 fs=ext4 seconds=abc\n";
    EXPECT_NE(forged("source sda1 /dev/sda1\n", with_part).find("line 11: field seconds 'abc'"), std::string::npos);
}

}  // namespace
}  // namespace kura
