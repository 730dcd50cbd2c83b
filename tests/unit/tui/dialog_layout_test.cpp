// Where a screen goes on the terminal: inside it at 80x25 with the key help free, lists
// scroll rather than push the box off the screen, and disabled items never hold the cursor.
#include "tui/dialog_layout.h"

#include <gtest/gtest.h>

#include <clocale>

namespace kura::tui {
namespace {

Screen menu_of(int items) {
    Screen s;
    s.kind = ScreenKind::menu;
    s.title = "Mode";
    s.text = "What do you want to do?";
    for (int i = 0; i < items; ++i) s.items.push_back({"k" + std::to_string(i), "item " + std::to_string(i), "", true, "", false});
    return s;
}

TEST(DialogLayout, FitsEightyByTwentyFiveAndLeavesTheLastLineForKeys) {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    for (int items : {3, 8, 40}) {
        Screen s = menu_of(items);
        Layout lay = lay_out(s, item_rows(s, {}), 80, 25);
        ASSERT_FALSE(lay.too_small);
        EXPECT_GE(lay.top, 0);
        EXPECT_LE(lay.top + lay.height, 24) << items;  // row 24 is the key help
        EXPECT_LE(lay.left + lay.width, 80);
        EXPECT_LE(lay.body_rows, items);
        EXPECT_GE(lay.body_rows, std::min(items, 3));
    }
    EXPECT_TRUE(lay_out(menu_of(3), {}, smallest_columns - 1, 25).too_small);
    EXPECT_TRUE(lay_out(menu_of(3), {}, 80, smallest_lines - 1).too_small);
    std::setlocale(LC_CTYPE, "C");
}

TEST(DialogLayout, ADisabledItemShowsWhyBeforeItsDetailAndIsSkipped) {
    std::setlocale(LC_CTYPE, "C.UTF-8");
    Screen s = menu_of(4);
    s.items[1].enabled = false;
    s.items[1].reason = "too small";
    s.items[1].detail = "100 MB";
    EXPECT_EQ(item_rows(s, {})[1], L"item 1  (too small)  100 MB");
    EXPECT_EQ(nearest_enabled(s.items, 1, +1), 2);
    EXPECT_EQ(next_enabled(s.items, 0, +1), 2);
    EXPECT_EQ(next_enabled(s.items, 2, -1), 0);
    s.items[3].enabled = false;
    EXPECT_EQ(nearest_enabled(s.items, 3, +1), 2);
    std::setlocale(LC_CTYPE, "C");
}

}  // namespace
}  // namespace kura::tui
