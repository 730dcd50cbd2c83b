// Clonezilla's mdN-config.env: what kura writes parses back the same, the example in
// Clonezilla's own ocs-cvt-dev comment parses, and a forged or damaged file is refused
// with the file, the line and the field - never run as shell.
#include "core/error.h"
#include "image/clonezilla_md.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

std::string refusal(const std::string& text, const std::string& file = "md0-config.env") {
    try {
        parse_md_config(text, file);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt);
        return e.what();
    }
    return "(no error)";
}

const std::string clonezilla_example =
    "MD_UUID=249dc032:84a1ae90:f8b7994a:690b84bf\n"
    "MD_NAME=astra:0\n"
    "MD_META=1.2\n"
    "MD_LEVEL=raid1\n"
    "MD_DEVICES_COUNT=2\n"
    "MD_CHUNK=\n"
    "MD_LAYOUT=\n"
    "MD_DATA_OFFSET=2048\n"
    "MD_MEMBERS_ORDERED=\"/dev/nvme0n1p2 /dev/nvme1n1p2\"\n";

TEST(ClonezillaMdConfig, ClonezillasExampleParses) {
    auto c = parse_md_config(clonezilla_example, "md127-config.env");
    EXPECT_EQ(c.device, "md127");
    EXPECT_EQ(c.uuid, "249dc032:84a1ae90:f8b7994a:690b84bf");
    EXPECT_EQ(c.name, "astra:0");
    EXPECT_EQ(c.metadata, "1.2");
    EXPECT_EQ(c.level_number(), 1);
    EXPECT_EQ(c.devices, 2u);
    EXPECT_FALSE(c.chunk_kib);
    EXPECT_EQ(c.layout, "");
    EXPECT_EQ(c.data_offset_sectors, 2048u);
    EXPECT_EQ(c.members, (std::vector<std::string>{"nvme0n1p2", "nvme1n1p2"}));
    EXPECT_EQ(md_config_text(c), clonezilla_example);  // kura writes it byte for byte alike
}

TEST(ClonezillaMdConfig, Raid5WithAMissingSlotRoundTrips) {
    ClonezillaMdConfig c;
    c.device = "md3";
    c.uuid = "77824cc7:b5658229:ad1ae3ec:bad5328e";
    c.name = "kurafix:store";
    c.metadata = "1.2";
    c.level = "raid5";
    c.devices = 3;
    c.chunk_kib = 64;
    c.layout = md_layout_name(5, 2);
    c.data_offset_sectors = 2048;
    c.members = {"sdb1", "missing", "sdd1", "sde1"};
    auto back = parse_md_config(md_config_text(c), "md3-config.env");
    EXPECT_EQ(back.layout, "left-symmetric");
    EXPECT_EQ(back.chunk_kib, 64u);
    EXPECT_EQ(back.members, c.members);
    EXPECT_EQ(md_config_text(back), md_config_text(c));
    EXPECT_EQ(md_layout_name(10, 0x102), "n2");
    EXPECT_EQ(md_layout_name(10, 0x201), "f2");
    EXPECT_EQ(md_layout_name(1, 0), "");
}

TEST(ClonezillaMdConfig, HostileFilesNameTheLineAndField) {
    auto with = [](const std::string& from, const std::string& to) {
        std::string t = clonezilla_example;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    const std::vector<std::pair<std::string, std::string>> cases = {
        {with("MD_NAME=astra:0", "MD_NAME=$(reboot)"), "line 2: MD_NAME holds shell syntax"},
        {with("MD_NAME=astra:0", "MD_NAME=a b"), "line 2: MD_NAME holds shell syntax or spaces"},
        {with("MD_LEVEL=raid1", "MD_LEVEL=raid7"), "line 4: MD_LEVEL 'raid7' is not one kura recreates"},
        {with("MD_META=1.2", "MD_META=2.0"), "line 3: MD_META '2.0' is not 0.90"},
        {with("MD_UUID=249dc032", "MD_UUID=249dc03g"), "line 1: MD_UUID is not"},
        {with("MD_DEVICES_COUNT=2", "MD_DEVICES_COUNT=3"), "line 9: 2 members for MD_DEVICES_COUNT 3"},
        {with("MD_DEVICES_COUNT=2", "MD_DEVICES_COUNT=0"), "MD_DEVICES_COUNT is not a number from 1 to 1920"},
        {with("MD_DEVICES_COUNT=2", "MD_DEVICES_COUNT=99999999999999999999"), "MD_DEVICES_COUNT is not a number"},
        {with("MD_CHUNK=", "MD_CHUNK=100"), "line 6: MD_CHUNK is not a power of two"},
        {with("MD_DATA_OFFSET=2048", "MD_DATA_OFFSET=-1"), "line 8: MD_DATA_OFFSET is not a number of sectors"},
        {with("/dev/nvme1n1p2", "/etc/passwd"), "member '/etc/passwd' is not /dev/NAME or missing"},
        {with("/dev/nvme1n1p2", "/dev/../sda"), "is not /dev/NAME"},
        {with("/dev/nvme1n1p2", "/dev/nvme0n1p2"), "member nvme0n1p2 is listed twice"},
        {with("MD_LAYOUT=", "MD_LAYOUT=x;y"), "line 7: MD_LAYOUT holds shell syntax"},
        {clonezilla_example + "PATH=/tmp\n", "line 10: unknown key 'PATH'"},
        {clonezilla_example + "MD_NAME=again\n", "line 10: MD_NAME given twice"},
        {clonezilla_example + "echo hi\n", "line 10: not KEY=VALUE"},
        {with("MD_UUID=249dc032:84a1ae90:f8b7994a:690b84bf\n", ""), "md0-config.env: MD_UUID is missing"},
        {std::string(70000, '#'), "larger than 64 KiB"},
    };
    for (const auto& [text, expected] : cases) {
        SCOPED_TRACE(expected);
        const std::string message = refusal(text);
        EXPECT_EQ(message.rfind("md0-config.env", 0), 0u) << message;
        EXPECT_NE(message.find(expected), std::string::npos) << message;
    }
    EXPECT_NE(refusal(clonezilla_example, "sda1-config.env").find("not mdN"), std::string::npos);
    EXPECT_NE(refusal(clonezilla_example, "md0.env").find("not an mdN-config.env name"), std::string::npos);
}

}  // namespace
}  // namespace kura
