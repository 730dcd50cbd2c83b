// Where a menu screen goes on a terminal of a given size: the box, the wrapped text, the
// list or field, the error, and which list items the cursor may rest on. Pure
// arithmetic on tui/screen.h's data; curses_screen.cpp draws what this decides.
#pragma once

#include "tui/screen.h"

#include <string>
#include <vector>

namespace kura::tui {

// Below this the dialog cannot be laid out; the operator is asked to enlarge the window.
inline constexpr int smallest_columns = 30;
inline constexpr int smallest_lines = 10;
// The box never grows wider than this on a large terminal: long lines stay readable.
inline constexpr int widest_box = 100;
inline constexpr int narrowest_box = 50;
inline constexpr int field_min_width = 40;
inline constexpr int max_error_lines = 3;

// What a screen has below its text.
enum class Body { none, list, field, prompt };
Body body_of(const Screen& screen);

// One list row: "[x] " in a checklist, the label padded to the widest label, for a
// disabled item why, and the detail.
std::vector<std::wstring> item_rows(const Screen& screen, const std::vector<bool>& ticks);

// Where everything of one screen goes for the terminal's present size.
struct Layout {
    bool too_small = false;
    int top = 0, left = 0, height = 0, width = 0;  // the box, borders included
    int content_left = 0, content_width = 0;
    std::vector<std::wstring> text;  // wrapped to content_width, all of it
    int text_top = 0, text_rows = 0;
    int body_top = 0, body_rows = 0;  // list rows, or the one field / prompt row
    std::vector<std::wstring> error;
    int error_top = 0;
};

// `rows` are item_rows(screen, ...); `columns` x `lines` the terminal (the last line is the
// key help).
Layout lay_out(const Screen& screen, const std::vector<std::wstring>& rows, int columns, int lines);

// Disabled items cannot hold the cursor: the next enabled item from `from` going
// `direction` (+1 or -1), or -1.
int next_enabled(const std::vector<ScreenItem>& items, int from, int direction);
// `wanted` itself when enabled, else the nearest enabled item searching `direction` first.
int nearest_enabled(const std::vector<ScreenItem>& items, int wanted, int direction);

}  // namespace kura::tui
