// The dialog's look in ncursesw: the colours (a blue screen with a light grey box, as
// Clonezilla's whiptail dialogs look, or plain attributes without colour) and the
// primitives a screen is drawn with. What goes where is tui/dialog_layout.h's decision.
#pragma once

#include "tui/dialog_layout.h"

#include <curses.h>

#include <string_view>

namespace kura::tui {

struct Palette {
    attr_t background = A_NORMAL;
    attr_t dialog = A_NORMAL;
    attr_t title = A_BOLD;
    attr_t highlight = A_REVERSE;
    attr_t disabled = A_DIM;
    attr_t error = A_BOLD;
    attr_t field = A_REVERSE;
    attr_t prompt = A_BOLD;
    attr_t keys = A_NORMAL;
    bool shadow = false;
};

// Starts colour on the terminal and returns the coloured palette; a default-constructed
// Palette is the monochrome one.
Palette colour_palette();

// NO_COLOR (https://no-color.org) is set and not empty.
bool no_color_requested();

// Writes `text` at (y, x) within `width` columns; with `fill`, the rest of the width too.
void put(int y, int x, std::wstring_view text, int width, attr_t attributes, bool fill = false);

// The dialog's box with its title (and shadow, when the palette has one).
void draw_box(const Layout& lay, const Palette& palette, std::wstring_view title);

// Marks on the right border that there is more above or below a scrolled region.
void draw_scroll_marks(const Layout& lay, const Palette& palette, int first_row, int rows, bool more_above,
                       bool more_below);

}  // namespace kura::tui
