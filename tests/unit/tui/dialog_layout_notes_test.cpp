// A note (an LV under its disk) in a list: drawn indented under the item above without a
// tick box, not widening the label column, and skipped by the cursor like a disabled item.
#include "tui/dialog_layout.h"

#include <gtest/gtest.h>

#include <clocale>

namespace kura::tui {
namespace {

TEST(DialogLayoutNotes, ANoteIsIndentedUnderItsItemWithoutATickBoxAndIsSkipped) {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    Screen s;
    s.kind = ScreenKind::checklist;
    s.title = "Disks to save";
    ScreenItem disk{"sda", "sda", "21.5 GB", true, "", false};
    ScreenItem lv{"lvm:VolGroup00/LogVol00", "VolGroup00/LogVol00  ext4  3.1 GB used of 20 GB", "", false, "", false};
    lv.note = true;
    ScreenItem other{"sdb", "sdb", "10.7 GB", true, "", false};
    s.items = {disk, lv, other};
    const auto rows = item_rows(s, {true, false, false});
    EXPECT_EQ(rows[0], L"[x] sda  21.5 GB");  // the note's long label left the label column alone
    EXPECT_EQ(rows[1], L"      VolGroup00/LogVol00  ext4  3.1 GB used of 20 GB");
    EXPECT_EQ(rows[2], L"[ ] sdb  10.7 GB");
    EXPECT_EQ(next_enabled(s.items, 0, +1), 2);
    EXPECT_EQ(next_enabled(s.items, 2, -1), 0);
    s.kind = ScreenKind::menu;
    EXPECT_EQ(item_rows(s, {})[1], L"  VolGroup00/LogVol00  ext4  3.1 GB used of 20 GB");
    std::setlocale(LC_CTYPE, "C");
}

}  // namespace
}  // namespace kura::tui
