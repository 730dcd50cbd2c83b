#include "tui/curses_drawing.h"

#include "tui/terminal_text.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace kura::tui {
namespace {

enum ColourPair : short {
    pair_background = 1,
    pair_dialog,
    pair_title,
    pair_disabled,
    pair_error,
    pair_field,
    pair_shadow,
};

}  // namespace

// Blue screen, light grey dialog (as Clonezilla's whiptail dialogs look), errors red.
Palette colour_palette() {
    start_color();
    // Grey text on 16-colour terminals; on 8 colours (the Linux console) A_DIM gives the
    // console's half-bright colour instead.
    bool grey_available = COLORS >= 16;
    init_pair(pair_background, COLOR_WHITE, COLOR_BLUE);
    init_pair(pair_dialog, COLOR_BLACK, COLOR_WHITE);
    init_pair(pair_title, COLOR_BLUE, COLOR_WHITE);
    init_pair(pair_disabled, grey_available ? 8 : COLOR_BLACK, COLOR_WHITE);
    init_pair(pair_error, COLOR_RED, COLOR_WHITE);
    init_pair(pair_field, COLOR_WHITE, COLOR_BLUE);
    init_pair(pair_shadow, COLOR_BLACK, COLOR_BLACK);
    Palette p;
    p.background = COLOR_PAIR(pair_background);
    p.dialog = COLOR_PAIR(pair_dialog);
    p.title = COLOR_PAIR(pair_title) | A_BOLD;
    p.highlight = COLOR_PAIR(pair_dialog) | A_REVERSE;
    p.disabled = COLOR_PAIR(pair_disabled) | (grey_available ? A_NORMAL : A_DIM);
    p.error = COLOR_PAIR(pair_error) | A_BOLD;
    p.field = COLOR_PAIR(pair_field) | A_BOLD;
    p.prompt = COLOR_PAIR(pair_dialog) | A_BOLD;
    p.keys = COLOR_PAIR(pair_background) | A_BOLD;
    p.shadow = true;
    return p;
}

bool no_color_requested() {
    const char* value = std::getenv("NO_COLOR");
    return value != nullptr && *value != '\0';
}

void put(int y, int x, std::wstring_view text, int width, attr_t attributes, bool fill) {
    std::wstring shown = fill ? pad(text, width) : fit(text, width);
    attrset(attributes);
    if (!shown.empty()) mvaddnwstr(y, x, shown.c_str(), static_cast<int>(shown.size()));
}

void draw_box(const Layout& lay, const Palette& palette, std::wstring_view title) {
    const int right = lay.left + lay.width - 1;
    const int bottom = lay.top + lay.height - 1;
    attrset(palette.dialog);
    for (int y = lay.top; y <= bottom; ++y) mvhline(y, lay.left, ' ' | palette.dialog, lay.width);
    // ACS characters only: ncurses maps them per terminfo, to box-drawing glyphs on the
    // console and xterm, to the vt100 alternate character set or to +-| over a plain line.
    mvaddch(lay.top, lay.left, ACS_ULCORNER | palette.dialog);
    mvhline(lay.top, lay.left + 1, ACS_HLINE | palette.dialog, lay.width - 2);
    mvaddch(lay.top, right, ACS_URCORNER | palette.dialog);
    mvvline(lay.top + 1, lay.left, ACS_VLINE | palette.dialog, lay.height - 2);
    mvvline(lay.top + 1, right, ACS_VLINE | palette.dialog, lay.height - 2);
    mvaddch(bottom, lay.left, ACS_LLCORNER | palette.dialog);
    mvhline(bottom, lay.left + 1, ACS_HLINE | palette.dialog, lay.width - 2);
    mvaddch(bottom, right, ACS_LRCORNER | palette.dialog);
    if (!title.empty()) {
        std::wstring shown = L" " + ellipsize(title, lay.width - 6) + L" ";
        int x = lay.left + (lay.width - text_width(shown)) / 2;
        put(lay.top, x, shown, lay.width - 2, palette.title);
    }
    if (palette.shadow) {
        for (int y = lay.top + 1; y <= bottom; ++y) {
            if (right + 1 < COLS) mvchgat(y, right + 1, std::min(2, COLS - right - 1), A_NORMAL, pair_shadow, nullptr);
        }
        if (bottom + 1 < LINES - 1) mvchgat(bottom + 1, lay.left + 2, std::min(lay.width, COLS - lay.left - 2), A_NORMAL, pair_shadow, nullptr);
    }
}

void draw_scroll_marks(const Layout& lay, const Palette& palette, int first_row, int rows, bool more_above, bool more_below) {
    if (rows <= 0) return;
    const int border = lay.left + lay.width - 1;
    if (more_above) mvaddch(first_row, border, ACS_UARROW | palette.dialog);
    if (more_below) mvaddch(first_row + rows - 1, border, ACS_DARROW | palette.dialog);
}

}  // namespace kura::tui
