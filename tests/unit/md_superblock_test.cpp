// md superblocks as real mdadm wrote them (tests/fixtures/md, made in a QEMU guest): every
// field kura reads agrees with `mdadm --examine` on the same member, RAID1 members group
// into arrays whose data window holds the ext4 the guest made, and damaged superblocks
// (changed by these tests, checksum fixed where the field check is the point) are refused
// with the device and the field named.
#include "core/error.h"
#include "volume/md_array.h"
#include "volume/md_superblock.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace kura {
namespace {

namespace fs = std::filesystem;

// __FILE__ is as the compiler was given it: absolute, or relative to build/tests where
// CMake compiles this file (the test binary sits in build/).
fs::path fixture_dir() {
    fs::path source(__FILE__);
    if (source.is_relative()) source = fs::read_symlink("/proc/self/exe").parent_path() / "tests" / source;
    return source.parent_path().parent_path() / "fixtures" / "md";
}
const fs::path fixtures = fixture_dir();
constexpr std::uint64_t member_offset = 1 << 20;  // partition 1 starts at 1 MiB

// A fixture's partition 1 as a file of its own (what a partition device shows).
class MemberFiles : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("kura-md-test-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string member(const std::string& fixture) {
        const fs::path disk = dir_ / (fixture + ".img");
        const fs::path part = dir_ / (fixture + ".p1");
        const std::string cmd = "zstd -q -d -f '" + (fixtures / (fixture + ".img.zst")).string() + "' -o '" +
                                disk.string() + "' && dd if='" + disk.string() + "' of='" + part.string() +
                                "' bs=1M skip=1 status=none";
        EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
        return part.string();
    }

    // `mdadm --examine` of a member: "Key : value" lines.
    static std::map<std::string, std::string> examine(const std::string& path) {
        std::map<std::string, std::string> out;
        FILE* p = ::popen(("mdadm --examine '" + path + "' 2>/dev/null").c_str(), "r");
        char line[512];
        while (p && std::fgets(line, sizeof line, p)) {
            std::string s(line);
            const auto colon = s.find(" : ");
            if (colon == std::string::npos) continue;
            auto trim = [](std::string t) {
                t.erase(0, t.find_first_not_of(' '));
                t.erase(t.find_last_not_of(" \n") + 1);
                return t;
            };
            out[trim(s.substr(0, colon))] = trim(s.substr(colon + 3));
        }
        if (p) ::pclose(p);
        return out;
    }

    fs::path dir_;
};

std::uint64_t leading_number(const std::string& text) { return std::stoull(text); }

void patch(const std::string& path, std::uint64_t at, const std::vector<std::uint8_t>& bytes) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::uint8_t> read_bytes(const std::string& path, std::uint64_t at, std::size_t n) {
    std::vector<std::uint8_t> b(n);
    std::ifstream f(path, std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    f.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(n));
    return b;
}

std::vector<std::uint8_t> le32_bytes(std::uint32_t v) {
    return {std::uint8_t(v), std::uint8_t(v >> 8), std::uint8_t(v >> 16), std::uint8_t(v >> 24)};
}
std::vector<std::uint8_t> le64_bytes(std::uint64_t v) {
    auto lo = le32_bytes(std::uint32_t(v)), hi = le32_bytes(std::uint32_t(v >> 32));
    lo.insert(lo.end(), hi.begin(), hi.end());
    return lo;
}
std::uint32_t le32_at(const std::vector<std::uint8_t>& b, std::size_t i) {
    return b[i] | b[i + 1] << 8 | b[i + 2] << 16 | std::uint32_t(b[i + 3]) << 24;
}

// Rewrites a 1.2 member's checksum after a test changed a field, so the field's own check
// is what refuses it (md's fold of the 32-bit word sum, as in the kernel's md_p.h users).
void fix_v1_checksum(const std::string& path, std::uint64_t at) {
    auto b = read_bytes(path, at, 4096);
    // A max_dev a test made too large would reach past the block read: the sum then covers
    // what there is (the reader refuses such a max_dev before it looks at the checksum).
    const std::size_t length = std::min(b.size(), 256 + 2 * std::size_t(le32_at(b, 220)));
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i + 4 <= length; i += 4) sum += i == 216 ? 0 : le32_at(b, i);
    if (length % 4) sum += b[length - 2] | b[length - 1] << 8;
    patch(path, at + 216, le32_bytes(std::uint32_t((sum & 0xffffffff) + (sum >> 32))));
}

void fix_v090_checksum(const std::string& path, std::uint64_t at) {
    auto b = read_bytes(path, at, 4096);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < 4096; i += 4) sum += i == 38 * 4 ? 0 : le32_at(b, i);
    patch(path, at + 38 * 4, le32_bytes(std::uint32_t((sum & 0xffffffff) + (sum >> 32))));
}

std::string refusal(const std::string& path) {
    try {
        read_md_superblock(path);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::source_unsupported);
        return e.what();
    }
    return "(no error)";
}

TEST_F(MemberFiles, FieldsMatchMdadmExamine) {
    const std::map<std::string, std::pair<std::string, int>> expected = {
        {"r1-090-a", {"0.90", 1}}, {"r1-10-b", {"1.0", 1}}, {"r1-12-a", {"1.2", 1}}, {"r5-12-c", {"1.2", 5}}};
    for (const auto& [fixture, want] : expected) {
        SCOPED_TRACE(fixture);
        const std::string path = member(fixture);
        auto sb = read_md_superblock(path);
        ASSERT_TRUE(sb);
        auto ex = examine(path);
        EXPECT_EQ(md_metadata_name(sb->metadata), want.first);
        EXPECT_EQ(sb->level, want.second);
        EXPECT_EQ(md_level_name(sb->level), ex["Raid Level"]);
        EXPECT_EQ(std::to_string(sb->raid_disks), ex["Raid Devices"]);
        EXPECT_EQ(sb->uuid, want.first == "0.90" ? ex["UUID"] : ex["Array UUID"]);
        EXPECT_EQ(std::to_string(sb->events), ex["Events"]);
        EXPECT_EQ(sb->array_size / 1024, leading_number(ex["Array Size"]));
        EXPECT_TRUE(sb->clean);
        ASSERT_TRUE(sb->role);
        if (want.first != "0.90") {
            EXPECT_EQ(sb->name, ex["Name"]);
            // 1.0 has its data at 0 and examine then prints no Data Offset.
            EXPECT_EQ(sb->data_offset / 512, ex.count("Data Offset") ? leading_number(ex["Data Offset"]) : 0u);
            EXPECT_EQ(sb->superblock_offset / 512, leading_number(ex["Super Offset"]));
            EXPECT_EQ("Active device " + std::to_string(*sb->role), ex["Device Role"]);
        } else {
            EXPECT_EQ(sb->data_offset, 0u);
            EXPECT_EQ(sb->data_size / 1024, leading_number(ex["Used Dev Size"]));
        }
    }
    auto r5 = read_md_superblock(member("r5-12-a"));
    EXPECT_EQ(r5->chunk_bytes, 64u * 1024);
    EXPECT_EQ(r5->name, "kurafix:store");
}

TEST_F(MemberFiles, NoSuperblockIsNullopt) {
    const std::string path = (dir_ / "zeros").string();
    std::ofstream(path).close();
    fs::resize_file(path, 16 << 20);
    EXPECT_FALSE(read_md_superblock(path));
    // The whole fixture disk (MBR first) is not a member: its member is partition 1.
    member("r1-12-a");
    EXPECT_FALSE(read_md_superblock((dir_ / "r1-12-a.img").string()));
}

TEST_F(MemberFiles, Raid1PairsGiveTheExt4AtTheDataOffset) {
    for (const std::string prefix : {"r1-090", "r1-10", "r1-12"}) {
        SCOPED_TRACE(prefix);
        std::vector<MdMember> members;
        for (const std::string side : {"a", "b"}) {
            const std::string path = member(prefix + "-" + side);
            members.push_back({"vd" + side + "1", path, *read_md_superblock(path)});
        }
        auto arrays = describe_md_arrays(members);
        ASSERT_EQ(arrays.size(), 1u);
        name_md_arrays(arrays);
        EXPECT_EQ(arrays[0].active.size(), 2u);
        EXPECT_TRUE(arrays[0].not_read.empty());
        EXPECT_EQ(arrays[0].members_ordered(), (std::vector<std::string>{"vda1", "vdb1"}));
        // 0.90: the preferred minor (md0); "kurafix:data"/"root": not a number, so md0.
        EXPECT_EQ(arrays[0].device, "md0");
        auto window = raid1_data_window(arrays[0]);
        auto magic = read_bytes(window.member->path, window.offset + 1024 + 56, 2);
        EXPECT_EQ(magic[0] | magic[1] << 8, 0xEF53);  // the ext4 the guest made on /dev/mdN
        auto ex = examine(window.member->path);
        EXPECT_EQ(window.size / 1024, leading_number(ex["Array Size"]));
        // mke2fs sized the filesystem to the array: its block count fills the window.
        auto counts = read_bytes(window.member->path, window.offset + 1024, 32);
        const std::uint64_t blocks = le32_at(counts, 4), log_block = le32_at(counts, 24);
        EXPECT_EQ(blocks * (1024u << log_block), window.size / (1024u << log_block) * (1024u << log_block));
    }
}

TEST_F(MemberFiles, StaleAndRebuildingMembersAreNotRead) {
    const std::string a = member("r1-12-a"), b = member("r1-12-b");
    auto sb_b = *read_md_superblock(b);
    patch(a, 4096 + 200, le64_bytes(sb_b.events + 5));  // a saw writes b missed
    fix_v1_checksum(a, 4096);
    std::vector<MdMember> members{{"vda1", a, *read_md_superblock(a)}, {"vdb1", b, sb_b}};
    auto arrays = describe_md_arrays(members);
    ASSERT_EQ(arrays[0].not_read.size(), 1u);
    EXPECT_EQ(arrays[0].not_read[0].name, "vdb1");
    EXPECT_NE(arrays[0].not_read_reasons[0].find("stale"), std::string::npos);
    EXPECT_EQ(arrays[0].members_ordered(), (std::vector<std::string>{"vda1", "missing"}));
    EXPECT_EQ(raid1_data_window(arrays[0]).member->name, "vda1");

    // a is now being rebuilt too (feature bit 2, recovery_offset 8 sectors): nothing to read.
    auto features = read_bytes(a, 4096 + 8, 4);
    patch(a, 4096 + 8, le32_bytes(le32_at(features, 0) | 2));
    patch(a, 4096 + 152, le64_bytes(8));
    fix_v1_checksum(a, 4096);
    members[0].superblock = *read_md_superblock(a);
    ASSERT_TRUE(members[0].superblock.recovery_offset);
    arrays = describe_md_arrays(members);
    try {
        raid1_data_window(arrays[0]);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::source_unsupported);
        EXPECT_NE(std::string(e.what()).find("no member is in sync"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("vda1 still being rebuilt"), std::string::npos) << e.what();
    }
}

TEST_F(MemberFiles, MembersThatDisagreeAreRefused) {
    const std::string a = member("r1-12-a"), b = member("r1-12-b");
    patch(b, 4096 + 92, le32_bytes(3));  // b says three disks
    fix_v1_checksum(b, 4096);
    std::vector<MdMember> members{{"vda1", a, *read_md_superblock(a)}, {"vdb1", b, *read_md_superblock(b)}};
    try {
        describe_md_arrays(members);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("vda1 and vdb1 disagree about its raid_disks"), std::string::npos)
            << e.what();
    }
    members[1] = {"vdb1", a, members[0].superblock};  // the same slot twice
    try {
        describe_md_arrays(members);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("both claim slot 0"), std::string::npos) << e.what();
    }
}

TEST_F(MemberFiles, HostileV1SuperblocksNameTheField) {
    struct Case {
        std::uint64_t at;
        std::vector<std::uint8_t> bytes;
        bool fix_checksum;
        std::string field;
    };
    const std::vector<Case> cases = {
        {4096 + 100, {0x5a}, false, "md superblock checksum"},
        {4096 + 92, le32_bytes(0), true, "md superblock raid_disks 0 is impossible for raid1"},
        {4096 + 72, le32_bytes(7), true, "md superblock level 7 is not one kura knows"},
        {4096 + 128, le64_bytes(1u << 30), true, "md superblock data_offset/data_size"},
        {4096 + 80, le64_bytes(1u << 20), true, "md superblock size"},
        {4096 + 144, le64_bytes(0), true, "md superblock super_offset"},
        {4096 + 8, le32_bytes(4), true, "a reshape is in progress"},
        {4096 + 32, {'r', '$', '(', 'x', ')'}, true, "md superblock name holds a character"},
        {4096 + 220, le32_bytes(5000), true, "md superblock max_dev 5000"},
        {4096 + 160, le32_bytes(400), true, "md superblock dev_number 400"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.field);
        const std::string path = member("r1-12-a");
        patch(path, c.at, c.bytes);
        if (c.fix_checksum) fix_v1_checksum(path, 4096);
        const std::string message = refusal(path);
        EXPECT_NE(message.find(path + ": "), std::string::npos) << message;
        EXPECT_NE(message.find(c.field), std::string::npos) << message;
    }
    // A member cut short: its data no longer fits in it.
    const std::string cut = member("r1-12-b");
    fs::resize_file(cut, 8 << 20);
    EXPECT_NE(refusal(cut).find("lie beyond the 8388608-byte device"), std::string::npos) << refusal(cut);
}

TEST_F(MemberFiles, HostileV090SuperblocksNameTheField) {
    const std::string path = member("r1-090-b");
    const std::uint64_t at = ((15u << 20) & ~65535ull) - 65536;
    ASSERT_EQ(read_md_superblock(path)->superblock_offset, at);
    patch(path, at + 2 * 4, le32_bytes(91));  // minor 91: mid-reshape
    fix_v090_checksum(path, at);
    EXPECT_NE(refusal(path).find("0.91 (a reshape in progress"), std::string::npos) << refusal(path);
    patch(path, at + 2 * 4, le32_bytes(90));
    patch(path, at + 8 * 4, le32_bytes(20000));  // 20000 KiB in a 15 MiB member
    fix_v090_checksum(path, at);
    EXPECT_NE(refusal(path).find("md superblock size 20000 KiB reaches into the superblock"), std::string::npos)
        << refusal(path);
    patch(path, at + 8 * 4, le32_bytes(1));
    EXPECT_NE(refusal(path).find("md superblock checksum"), std::string::npos) << refusal(path);
}

}  // namespace
}  // namespace kura
