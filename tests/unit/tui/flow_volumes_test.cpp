// The LVM volume groups on the save lists: each group's LVs as notes under the disk (or
// partition) holding its first PV, why an LV goes whole with its PVs, a pointer from its
// other PVs, notes never chosen; a damaged PV named while the disks stay listed; and LV rows
// of the plan indented under their PV's row with the sizes in their columns.
#include "flow_fixture.h"

#include "core/error.h"

#include <optional>
#include <sstream>

namespace kura::tui::testing {
namespace {

constexpr std::uint64_t kExtentSectors = 8192;  // 4 MiB extents
constexpr std::uint64_t MiB = 1ull << 20;

LvmLogicalVolume logical_volume(const std::string& name, const std::string& type, std::uint64_t extents,
                                bool visible = true) {
    LvmLogicalVolume lv;
    lv.name = name;
    lv.status = {"READ", "WRITE"};
    if (visible) lv.status.push_back("VISIBLE");
    LvmSegment seg;
    seg.extent_count = extents;
    seg.type = type;
    seg.stripe_count = type == "striped" ? 1 : 0;
    if (type == "striped") seg.areas = {LvmArea{"pv0", "", 0}};
    lv.segments = {seg};
    return lv;
}

// A scripted machine whose sda2 and sdc are the two PVs of VolGroup00.
class VolumeServices : public ScriptedServices {
public:
    std::optional<Error> volume_error;
    std::optional<PlanItem> plan_lv_row;  // added after the job's rows, as the engine adds an LV

    std::vector<ListedVolumeGroup> volume_groups(const std::vector<DiskInfo>&) override {
        if (volume_error) throw *volume_error;
        std::vector<ListedVolumeGroup> groups(1);
        ListedVolumeGroup& g = groups.front();
        g.found.vg.name = "VolGroup00";
        g.found.vg.extent_size = kExtentSectors;
        g.found.vg.lvs = {logical_volume("LogVol00", "striped", 25), logical_volume("pool", "thin-pool", 4),
                          logical_volume("snap0", "snapshot", 1), logical_volume("pool_tmeta", "striped", 1, false),
                          logical_volume("grown", "striped", 8)};
        g.member_names = {"sda2", "sdc"};
        for (const auto& lv : g.found.vg.lvs) {
            ListedLogicalVolume l;
            l.lv = &lv;
            l.verdict = classify_logical_volume(g.found.vg, lv);
            l.size_bytes = lv.extent_count() * g.found.vg.extent_bytes();
            g.lvs.push_back(l);
        }
        g.lvs[0].fs_type = "ext4";
        g.lvs[0].used_bytes = 30 * MiB;
        g.lvs[0].used_known = true;
        g.lvs[4].unreadable = true;
        g.lvs[4].note = "it has 2 segments and this kernel has no device-mapper";
        return groups;
    }

    Plan plan(const Job& job) override {
        Plan p = ScriptedServices::plan(job);
        if (plan_lv_row) p.items.push_back(*plan_lv_row);
        return p;
    }
};

class FlowVolumesTest : public FlowTest {
protected:
    VolumeServices machine;

    FlowVolumesTest() { static_cast<ScriptedServices&>(machine) = services; }

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

TEST_F(FlowVolumesTest, TheLvsAreListedUnderTheDiskOfTheFirstPvAndCannotBeChosen) {
    Flow f(machine, options());
    to_mode(f);
    choose(f, "savedisk");
    type(f, "lvm-img");
    Screen disks = f.screen();
    ASSERT_EQ(disks.step, "save_disks");
    EXPECT_EQ(notes_under(disks, "sda"),
              (std::vector<std::string>{"VolGroup00/LogVol00  ext4  31.5 MB used of 104.9 MB",
                                        "VolGroup00/pool  16.8 MB  thin-pool: copied whole with its PVs",
                                        "VolGroup00/snap0  4.2 MB  snapshot: not saved as a volume",
                                        "VolGroup00/grown  33.6 MB  copied whole with its PVs",
                                        "  (it has 2 segments and this kernel has no device-mapper)"}));
    EXPECT_EQ(notes_under(disks, "sdb"), std::vector<std::string>{});
    EXPECT_EQ(notes_under(disks, "sdc"),
              std::vector<std::string>{"a PV of VolGroup00, whose volumes are listed under sda2"});
    // The notes sit between the disks: ticks still name the disks they are on.
    tick(f, {"sdc"});
    ASSERT_EQ(f.step_name(), "save_options");
    EXPECT_EQ(f.job().devices, std::vector<std::string>{services.disk_list[2].identity()});
}

TEST_F(FlowVolumesTest, ThePartitionListShowsThemUnderThePvPartitionInJapanese) {
    FlowOptions o = options();
    o.language = Language::ja;
    o.can_show_japanese = true;
    o.keymap = "us";
    Flow f(machine, o);
    choose(f, "mounted_dir");
    type(f, "/home/partimag");
    enter(f);
    choose(f, "saveparts");
    type(f, "lvm-img");
    Screen parts = f.screen();
    ASSERT_EQ(parts.step, "save_parts");
    EXPECT_EQ(notes_under(parts, "sda1"), std::vector<std::string>{});
    const auto lines = notes_under(parts, "sda2");
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "VolGroup00/LogVol00  ext4  104.9 MB 中 31.5 MB 使用");
    EXPECT_EQ(lines[1], "VolGroup00/pool  16.8 MB  thin-pool: PV ごとそのままコピー");
    // A note's label is a whole line: the partitions' label column keeps its width.
    EXPECT_EQ(item_of(parts, "sda2").label.size(), item_of(parts, "sda1").label.size());
}

TEST_F(FlowVolumesTest, ADamagedPvIsNamedAndTheDisksAreStillListed) {
    machine.volume_error = Error(ExitCode::source_unsupported,
                                 "the LVM metadata of sda2 is damaged: the metadata area at byte 4096 has a bad header CRC");
    Flow f(machine, options());
    to_mode(f);
    choose(f, "savedisk");
    type(f, "lvm-img");
    Screen disks = f.screen();
    EXPECT_EQ(disks.error, "the LVM metadata of sda2 is damaged: the metadata area at byte 4096 has a bad header CRC");
    EXPECT_EQ(disks.items.size(), services.disk_list.size());
    for (const auto& i : disks.items) EXPECT_FALSE(i.note);
}

TEST_F(FlowVolumesTest, ThePlanIndentsAnLvUnderItsPvRowWithTheSizesInTheirColumns) {
    machine.plan_lv_row = PlanItem{"VolGroup00/LogVol00", "LV on sda2", "ext4", 100 * MiB, 30 * MiB, 1};
    Flow f(machine, options());
    to_mode(f);
    choose(f, "saveparts");
    type(f, "lvm-img");
    tick(f, {"sda2"});
    choose(f, "continue");
    Screen plan = f.screen();
    ASSERT_EQ(plan.step, "save_plan");
    std::istringstream text(plan.text);
    std::string line, pv_row, lv_row;
    while (std::getline(text, line)) {
        if (line.rfind("/dev/sda2", 0) == 0) pv_row = line;
        if (line.find("VolGroup00/LogVol00") != std::string::npos) lv_row = line;
    }
    ASSERT_FALSE(pv_row.empty()) << plan.text;
    EXPECT_EQ(lv_row.rfind("  VolGroup00/LogVol00 ", 0), 0u) << plan.text;
    EXPECT_EQ(lv_row.find("ext4"), pv_row.find("ext4")) << plan.text;
    EXPECT_EQ(lv_row.find("104.9 MB") + 8, pv_row.find("1.1 GB") + 6) << plan.text;  // right-aligned alike
    EXPECT_EQ(lv_row.find("LV on"), std::string::npos) << plan.text;
}

}  // namespace
}  // namespace kura::tui::testing
