// A partition table read from an image is checked whole before any target is touched:
// overlaps, wrap-around, numbers out of range, GPT entry counts and usable range, and
// (when the saved disk's size is known) partitions past its end.
#include "core/error.h"
#include "ptable/clonezilla_table_files.h"
#include "ptable/table_validation.h"

#include <gtest/gtest.h>

#include <string>

namespace kura {
namespace {

const std::string kGptHead =
    "label: gpt\nlabel-id: 0D1C2E55-6A3C-4E5B-8E3F-2F1E5B9A0C11\ndevice: /dev/sda\nunit: sectors\n"
    "first-lba: 34\nlast-lba: 2097118\nsector-size: 512\n\n";
const std::string kLinux = "0FC63DAF-8483-4772-8E79-3D7DE47284E4";

std::string refusal(const std::string& dump) {
    try {
        parse_sfdisk_dump(dump);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "accepted:\n" << dump;
    return {};
}

void expect_refused(const std::string& dump, const std::string& says) {
    std::string what = refusal(dump);
    EXPECT_NE(what.find(says), std::string::npos) << what;
}

TEST(TableValidation, MalformedNumbersNameTheLineAndField) {
    expect_refused("label: dos\n\n/dev/sda1 : start=2048, size=99999999999999999999, type=83\n",
                   "line 3: field size \"99999999999999999999\" is not a number");
    expect_refused("label: dos\n\n/dev/sda1 : start=-5, size=10, type=83\n", "line 3: field start \"-5\"");
    expect_refused("label: gpt\nfirst-lba: 34x\n", "line 2: field first-lba \"34x\"");
    expect_refused("label: gpt\ntable-length: 100000\n", "line 2: field table-length 100000 is not from 1 to 4096");
    expect_refused("label: dos\nsector-size: 520\n", "line 2: field sector-size 520");
    expect_refused("label: dos\n\n/dev/sda99999999 : start=2048, size=10, type=83\n", "line 3: no partition number");
    expect_refused("label: dos\n\n/dev/sda300 : start=2048, size=10, type=83\n", "line 3: no partition number");
}

TEST(TableValidation, AGuidWithADashOutOfPlaceIsNotAGuid) {
    // Found by fuzz_sfdisk_dump: 36 characters, the four dashes in place and a fifth one
    // inside a field made the conversion throw std::invalid_argument (exit 1).
    expect_refused(kGptHead + "/dev/sda1 : start=2048, size=20480, type=C06A7328-F81F-11D2-BA4B-0-BA4B-EC93B\n",
                   "line 9: GPT type \"C06A7328-F81F-11D2-BA4B-0-BA4B-EC93B\" is not a GUID");
}

TEST(TableValidation, MbrOverlapsAndWraps) {
    expect_refused("label: dos\n\n/dev/sda1 : start=2048, size=4096, type=83\n"
                   "/dev/sda2 : start=4096, size=4096, type=83\n",
                   "partition 1 (start 2048, size 4096) overlaps partition 2 (start 4096, size 4096)");
    expect_refused("label: dos\n\n/dev/sda1 : start=0, size=4096, type=83\n", "starts at sector 0, over the MBR");
    expect_refused("label: dos\n\n/dev/sda1 : start=4294967296, size=4096, type=83\n",
                   "does not fit a DOS table's 32-bit");
    expect_refused("label: gpt\n\n/dev/sda1 : start=18446744073709551000, size=4096, type=" + kLinux + "\n",
                   "wraps past 2^64");
}

TEST(TableValidation, MbrLogicalPartitionsStayInsideTheirExtended) {
    const std::string base = "label: dos\n\n/dev/sda1 : start=2048, size=10000, type=5\n";
    expect_refused(base + "/dev/sda5 : start=2048, size=100, type=83\n", "is not inside extended partition 1");
    expect_refused(base + "/dev/sda5 : start=4096, size=10000, type=83\n", "is not inside extended");
    expect_refused(base + "/dev/sda5 : start=4096, size=1000, type=83\n/dev/sda6 : start=4500, size=100, type=83\n",
                   "partition 5 (start 4096, size 1000) overlaps partition 6");
    expect_refused("label: dos\n\n/dev/sda5 : start=4096, size=1000, type=83\n", "without an extended partition");
    expect_refused(base + "/dev/sda2 : start=20000, size=100, type=f\n", "second extended partition");
    // What sfdisk makes of the same layout is fine.
    EXPECT_EQ(parse_sfdisk_dump(base + "/dev/sda5 : start=4096, size=1000, type=83\n").partitions.size(), 2u);
}

TEST(TableValidation, GptEntriesAndUsableRange) {
    expect_refused(kGptHead + "/dev/sda1 : start=2048, size=4096, type=" + kLinux + "\n" +
                       "/dev/sda2 : start=6000, size=4096, type=" + kLinux + "\n",
                   "overlaps partition 2");
    expect_refused(kGptHead + "/dev/sda1 : start=20, size=4096, type=" + kLinux + "\n",
                   "starts before the first usable sector 34 (over the GPT header or entries)");
    expect_refused(kGptHead + "/dev/sda1 : start=2097100, size=4096, type=" + kLinux + "\n",
                   "ends after the last usable sector 2097118");
    expect_refused(kGptHead + "/dev/sda200 : start=2048, size=4096, type=" + kLinux + "\n",
                   "partition number 200 is outside the GPT's 128 entries");
    std::string inside_entries = kGptHead;
    inside_entries.replace(inside_entries.find("first-lba: 34"), 13, "first-lba: 10");
    expect_refused(inside_entries, "GPT first-lba 10 lies inside the header and its 128 entries");
    std::string backwards = kGptHead;
    backwards.replace(backwards.find("last-lba: 2097118"), 17, "last-lba: 30");
    expect_refused(backwards, "GPT last-lba 30 is before first-lba 34");
}

TEST(TableValidation, PartitionsPastTheSavedDiskOnceItsSizeIsKnown) {
    PartitionTable t = parse_sfdisk_dump("label: dos\n\n/dev/sda1 : start=2048, size=4096, type=83\n");
    t.disk_sectors = 6144;
    EXPECT_NO_THROW(validate_partition_table(t));
    t.disk_sectors = 6000;
    try {
        validate_partition_table(t);
        FAIL() << "accepted a partition past the disk";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::image_corrupt);
        EXPECT_NE(std::string(e.what()).find("ends at sector 6144, past the end of the disk (6000 sectors)"),
                  std::string::npos)
            << e.what();
    }
    PartitionTable g = parse_sfdisk_dump(kGptHead + "/dev/sda1 : start=2048, size=4096, type=" + kLinux + "\n");
    g.disk_sectors = 2097152;  // 1 GiB: what sfdisk's last-lba 2097118 was made for
    EXPECT_NO_THROW(validate_partition_table(g));
    g.disk_sectors = 2097140;
    EXPECT_THROW(validate_partition_table(g), Error);  // no room for the backup entries
    g.disk_sectors = UINT64_MAX / 8;
    EXPECT_THROW(validate_partition_table(g), Error);  // more than 2^64 bytes
}

}  // namespace
}  // namespace kura
