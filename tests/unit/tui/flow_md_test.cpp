// The md arrays on the save lists: each array's line as a note under the disk (or
// partition) holding its first member - a RAID1 with its filesystem and used bytes, other
// levels' members copied whole, members' states - a pointer from its other members, notes
// never chosen, in English and Japanese; and a damaged superblock named while the disks stay
// listed.
#include "flow_fixture.h"

#include "core/error.h"

#include <optional>

namespace kura::tui::testing {
namespace {

constexpr std::uint64_t MiB = 1ull << 20;

ListedMdArray array(const std::string& device, int level, MdMetadata metadata,
                    std::vector<ListedMdMember> members) {
    ListedMdArray l;
    l.array.device = device;
    l.array.level = level;
    l.array.metadata = metadata;
    l.array.raid_disks = 2;
    l.members = std::move(members);
    l.first_member = l.members.front().name;
    l.copied_whole = level != 1;
    return l;
}

// A scripted machine with a RAID1 md0 of sda2 and sdd1 (sdc its spare) and a RAID5 md1 of
// sdb and sda1, whose sda1 is stale.
class MdServices : public ScriptedServices {
public:
    std::optional<Error> md_error;

    std::vector<ListedMdArray> md_arrays(const std::vector<DiskInfo>&) override {
        if (md_error) throw *md_error;
        ListedMdArray mirror = array("md0", 1, MdMetadata::v1_2,
                                     {{"sda2", MdMemberState::in_sync, 0}, {"sdd1", MdMemberState::in_sync, 1},
                                      {"sdc", MdMemberState::spare, std::nullopt}});
        mirror.array.array_size = 15 * MiB;
        mirror.fs_type = "ext4";
        mirror.used_bytes = 5 * MiB;
        mirror.used_known = true;
        ListedMdArray parity = array("md1", 5, MdMetadata::v0_90,
                                     {{"sdb", MdMemberState::in_sync, 0}, {"sda1", MdMemberState::stale, 1}});
        return {mirror, parity};
    }
};

class FlowMdTest : public FlowTest {
protected:
    MdServices machine;

    FlowMdTest() { static_cast<ScriptedServices&>(machine) = services; }

    // The notes' lines right after `key`'s item, up to the next item that can be chosen.
    static std::vector<std::string> notes_under(const Screen& s, const std::string& key) {
        std::vector<std::string> lines;
        for (int i = index_of(s, key) + 1; i < static_cast<int>(s.items.size()); ++i) {
            const ScreenItem& item = s.items[static_cast<std::size_t>(i)];
            if (!item.note) break;
            EXPECT_FALSE(item.enabled) << item.label;
            lines.push_back(item.label);
        }
        return lines;
    }
};

TEST_F(FlowMdTest, TheArraysAreListedUnderTheDiskOfTheirFirstMemberAndCannotBeChosen) {
    Flow f(machine, options());
    to_mode(f);
    choose(f, "savedisk");
    type(f, "md-img");
    Screen disks = f.screen();
    ASSERT_EQ(disks.step, "save_disks");
    EXPECT_EQ(notes_under(disks, "sda"),
              (std::vector<std::string>{"md0  raid1 1.2  ext4  5.2 MB used of 15.7 MB",
                                        "  (members sda2 sdd1 sdc spare)",
                                        "a member of md1, which is listed under sdb"}));
    EXPECT_EQ(notes_under(disks, "sdb"),
              (std::vector<std::string>{"md1  raid5 0.90  members copied whole", "  (members sdb sda1 stale)"}));
    EXPECT_EQ(notes_under(disks, "sdc"), std::vector<std::string>{"a member of md0, which is listed under sda2"});
    EXPECT_EQ(notes_under(disks, "sdd"), std::vector<std::string>{"a member of md0, which is listed under sda2"});
    // The notes sit between the disks: ticks still name the disks they are on.
    tick(f, {"sdd"});
    ASSERT_EQ(f.step_name(), "save_options");
    EXPECT_EQ(f.job().devices, std::vector<std::string>{services.disk_list[3].identity()});
}

TEST_F(FlowMdTest, ThePartitionListShowsThemUnderTheMemberPartitionInJapanese) {
    FlowOptions o = options();
    o.language = Language::ja;
    o.can_show_japanese = true;
    o.keymap = "us";
    Flow f(machine, o);
    choose(f, "mounted_dir");
    type(f, "/home/partimag");
    enter(f);
    choose(f, "saveparts");
    type(f, "md-img");
    Screen parts = f.screen();
    ASSERT_EQ(parts.step, "save_parts");
    EXPECT_EQ(notes_under(parts, "sda1"), std::vector<std::string>{"md1 のメンバー (sdb の下に表示)"});
    EXPECT_EQ(notes_under(parts, "sda2"),
              (std::vector<std::string>{"md0  raid1 1.2  ext4  15.7 MB 中 5.2 MB 使用",
                                        "  (メンバー sda2 sdd1 sdc スペア)"}));
    EXPECT_EQ(notes_under(parts, "sdd1"), std::vector<std::string>{"md0 のメンバー (sda2 の下に表示)"});
    // A note's label is a whole line: the partitions' label column keeps its width.
    EXPECT_EQ(item_of(parts, "sda2").label.size(), item_of(parts, "sdd1").label.size());
}

TEST_F(FlowMdTest, ADamagedSuperblockIsNamedAndTheDisksAreStillListed) {
    machine.md_error = Error(ExitCode::source_unsupported, "/dev/sda2: md superblock checksum is wrong");
    Flow f(machine, options());
    to_mode(f);
    choose(f, "savedisk");
    type(f, "md-img");
    Screen disks = f.screen();
    EXPECT_EQ(disks.error, "/dev/sda2: md superblock checksum is wrong");
    EXPECT_EQ(disks.items.size(), services.disk_list.size());
    for (const auto& i : disks.items) EXPECT_FALSE(i.note);
}

}  // namespace
}  // namespace kura::tui::testing
