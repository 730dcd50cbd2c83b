#include "tui/curses_screen.h"

#include "tui/dialog_layout.h"
#include "tui/terminal_text.h"

#include <curses.h>
#include <langinfo.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <clocale>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <cwctype>
#include <string>
#include <string_view>
#include <vector>

namespace kura::tui {
namespace {

// How often a waiting ask() looks at CursesScreenOptions::interrupted.
constexpr int key_poll_ms = 200;
// Lone Esc must mean "back" quickly, yet arrow keys over a serial line still arrive whole.
constexpr int escape_delay_ms = 25;

// ---- What a fatal-signal handler needs to give the terminal back (see
// restore_terminal_from_signal_handler): captured while nothing can interrupt it, read only.

struct CrashRestore {
    struct termios modes {};
    bool modes_saved = false;
    char sequence[512] = {};
    std::size_t sequence_length = 0;
};
CrashRestore g_crash_restore;
volatile std::sig_atomic_t g_curses_active = 0;

// Appends a terminfo string without its "$<n>" padding delays: only tputs() understands
// them, and written raw they would appear on the screen as text.
void append_capability_for_crash(const char* name) {
    const char* value = tigetstr(name);
    if (value == nullptr || value == reinterpret_cast<const char*>(-1)) return;
    CrashRestore& r = g_crash_restore;
    for (const char* p = value; *p != '\0'; ++p) {
        if (p[0] == '$' && p[1] == '<') {
            if (const char* end = std::strchr(p, '>')) {
                p = end;
                continue;
            }
        }
        if (r.sequence_length + 1 < sizeof r.sequence) r.sequence[r.sequence_length++] = *p;
    }
}

// ---- Locale

bool codeset_is_utf8() {
    const char* codeset = nl_langinfo(CODESET);
    return codeset != nullptr && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0);
}

// ncursesw measures and draws characters through the C library's locale: without a UTF-8
// LC_CTYPE every byte of "日本語" would be a separate unprintable character. The live
// system may boot with LANG unset (the "C" locale), so C.UTF-8 is the fallback.
bool use_utf8_locale() {
    std::setlocale(LC_ALL, "");
    // The engine formats numbers (logs, JSON, sizes) with printf; they keep '.' as the
    // decimal point whatever language the operator's locale is.
    std::setlocale(LC_NUMERIC, "C");
    if (codeset_is_utf8()) return true;
    return std::setlocale(LC_CTYPE, "C.UTF-8") != nullptr && codeset_is_utf8();
}

// ---- Keys

enum class Command {
    none, up, down, page_up, page_down, home, end, left, right,
    enter, escape, erase_before, erase_at, clear_field, character, resize,
};

struct KeyPress {
    Command command = Command::none;
    wchar_t character = 0;  // Command::character
};

// Function keys and control characters as commands; printable characters are left for the
// screen kind to interpret (j/k move in a list but are text in an input field).
KeyPress translate_key(int status, wint_t value) {
    if (status == KEY_CODE_YES) {
        switch (value) {
        case KEY_RESIZE: return {Command::resize};
        case KEY_UP: return {Command::up};
        case KEY_DOWN: return {Command::down};
        case KEY_PPAGE: case KEY_A3: return {Command::page_up};
        case KEY_NPAGE: case KEY_C3: return {Command::page_down};
        // KEY_FIND / KEY_SELECT: what vt220-like terminfo entries call the Home / End keys.
        case KEY_HOME: case KEY_FIND: case KEY_A1: return {Command::home};
        case KEY_END: case KEY_SELECT: case KEY_C1: case KEY_LL: return {Command::end};
        case KEY_LEFT: return {Command::left};
        case KEY_RIGHT: return {Command::right};
        case KEY_ENTER: return {Command::enter};
        case KEY_BACKSPACE: return {Command::erase_before};
        case KEY_DC: return {Command::erase_at};
        default: return {};
        }
    }
    switch (value) {
    case L'\n': case L'\r': return {Command::enter};
    case 27: return {Command::escape};
    case 127: case 8: return {Command::erase_before};  // Backspace sends either, per terminal
    case 16: return {Command::up};            // Ctrl-P
    case 14: return {Command::down};          // Ctrl-N
    case 1: return {Command::home};           // Ctrl-A
    case 5: return {Command::end};            // Ctrl-E
    case 4: return {Command::erase_at};       // Ctrl-D
    case 21: return {Command::clear_field};   // Ctrl-U
    default: break;
    }
    if (value < 32 || !std::iswprint(static_cast<wint_t>(value))) return {};
    return {Command::character, static_cast<wchar_t>(value)};
}

// ---- Drawing

enum ColourPair : short {
    pair_background = 1,
    pair_dialog,
    pair_title,
    pair_disabled,
    pair_error,
    pair_field,
    pair_shadow,
};

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
    const char* value = std::getenv("NO_COLOR");  // https://no-color.org: set and not empty
    return value != nullptr && *value != '\0';
}

// Writes `text` at (y, x) within `width` columns; with `fill`, the rest of the width too.
void put(int y, int x, std::wstring_view text, int width, attr_t attributes, bool fill = false) {
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

// Marks on the right border that there is more above or below a scrolled region.
void draw_scroll_marks(const Layout& lay, const Palette& palette, int first_row, int rows, bool more_above, bool more_below) {
    if (rows <= 0) return;
    const int border = lay.left + lay.width - 1;
    if (more_above) mvaddch(first_row, border, ACS_UARROW | palette.dialog);
    if (more_below) mvaddch(first_row + rows - 1, border, ACS_DARROW | palette.dialog);
}

// What the operator has done on the screen being asked, kept across redraws.
struct Interaction {
    int cursor = -1;         // highlighted item; -1: none (nothing selectable, or a progress screen)
    int list_top = 0;        // first item shown
    std::vector<bool> ticks; // checklist
    int text_scroll = 0;     // first text line shown
    std::wstring field;      // input / password
    std::size_t field_cursor = 0;
    std::size_t field_scroll = 0;  // first character of the field shown
};

}  // namespace

struct CursesScreen::Impl {
    CursesScreenOptions options;
    SCREEN* terminal = nullptr;
    bool utf8 = false;
    bool active = false;
    bool repaint_all = true;
    Palette palette;

    Layout draw(const Screen& screen, Interaction& state);
    void draw_list(const Screen& screen, const Layout& lay, const std::vector<std::wstring>& rows, Interaction& state);
    void draw_field(const Screen& screen, const Layout& lay, Interaction& state);
    KeyPress wait_for_key();
    bool swallow_unknown_sequence();
    void check_interrupted() const {
        if (options.interrupted && options.interrupted()) throw ScreenInterrupted();
    }

    Answer ask_list(const Screen& screen);
    Answer ask_field(const Screen& screen);
    Answer ask_reading(const Screen& screen);
};

Layout CursesScreen::Impl::draw(const Screen& screen, Interaction& state) {
    bkgdset(' ' | palette.background);
    if (repaint_all) {
        clear();  // after a resize or a shell the physical screen may hold anything
        repaint_all = false;
    } else {
        erase();  // ncurses then sends only what changed: cheap over a 9600 baud line
    }
    const std::vector<std::wstring> rows = item_rows(screen, state.ticks);
    Layout lay = lay_out(screen, rows, COLS, LINES);
    if (lay.too_small) {
        put(0, 0, L"Please enlarge the terminal (at least 30x10).", COLS, palette.background);
        curs_set(0);
        refresh();
        return lay;
    }
    draw_box(lay, palette, widen(screen.title));

    const int text_lines = static_cast<int>(lay.text.size());
    state.text_scroll = std::clamp(state.text_scroll, 0, std::max(0, text_lines - lay.text_rows));
    for (int i = 0; i < lay.text_rows; ++i) {
        put(lay.text_top + i, lay.content_left, lay.text[static_cast<std::size_t>(state.text_scroll + i)],
            lay.content_width, palette.dialog);
    }
    draw_scroll_marks(lay, palette, lay.text_top, lay.text_rows, state.text_scroll > 0,
                      state.text_scroll + lay.text_rows < text_lines);

    for (std::size_t i = 0; i < lay.error.size(); ++i) {
        put(lay.error_top + static_cast<int>(i), lay.content_left, lay.error[i], lay.content_width, palette.error);
    }
    if (!screen.keys_help.empty()) put(LINES - 1, 1, widen(screen.keys_help), COLS - 2, palette.keys);

    switch (body_of(screen)) {
    case Body::list:
        draw_list(screen, lay, rows, state);
        break;
    case Body::field:
        draw_field(screen, lay, state);
        break;
    case Body::prompt:
        put(lay.body_top, lay.content_left, L"(y/n)", lay.content_width, palette.prompt);
        move(lay.body_top, lay.content_left + 5);
        curs_set(0);
        break;
    case Body::none:
        // Where the cursor rests on terminals that cannot hide it.
        move(lay.top + lay.height - 1, lay.left + lay.width - 1);
        curs_set(0);
        break;
    }
    refresh();
    return lay;
}

void CursesScreen::Impl::draw_list(const Screen& screen, const Layout& lay, const std::vector<std::wstring>& rows,
                                   Interaction& state) {
    const int count = static_cast<int>(rows.size());
    const int shown = lay.body_rows;
    state.list_top = std::clamp(state.list_top, 0, std::max(0, count - shown));
    if (state.cursor >= 0) {
        if (state.cursor < state.list_top) state.list_top = state.cursor;
        if (state.cursor >= state.list_top + shown) state.list_top = state.cursor - shown + 1;
    }
    for (int row = 0; row < shown && state.list_top + row < count; ++row) {
        const int index = state.list_top + row;
        const ScreenItem& item = screen.items[static_cast<std::size_t>(index)];
        attr_t attributes = index == state.cursor ? palette.highlight : item.enabled ? palette.dialog : palette.disabled;
        // The highlight bar spans the whole inside of the box; the text keeps its margin.
        std::wstring line = fit(L" " + rows[static_cast<std::size_t>(index)], lay.content_width + 1);
        put(lay.body_top + row, lay.content_left - 1, line, lay.content_width + 2, attributes, index == state.cursor);
    }
    draw_scroll_marks(lay, palette, lay.body_top, shown, state.list_top > 0, state.list_top + shown < count);
    // The cursor rests on the highlighted row: screen readers and cursor-only terminals follow it.
    int cursor_row = state.cursor >= 0 ? lay.body_top + state.cursor - state.list_top : lay.body_top;
    move(cursor_row, lay.content_left);
    curs_set(0);
}

void CursesScreen::Impl::draw_field(const Screen& screen, const Layout& lay, Interaction& state) {
    const bool hidden = screen.kind == ScreenKind::password;
    const int visible = lay.content_width - 2;
    auto width_of = [&](std::size_t from, std::size_t to) {
        int width = 0;
        for (std::size_t i = from; i < to; ++i) width += hidden ? 1 : char_width(state.field[i]);
        return width;
    };
    // Scroll sideways so the cursor stays in the field, and back when text was deleted.
    state.field_cursor = std::min(state.field_cursor, state.field.size());
    const int cursor_cell = state.field_cursor < state.field.size() && !hidden
                                ? std::max(1, char_width(state.field[state.field_cursor])) : 1;
    state.field_scroll = std::min(state.field_scroll, state.field_cursor);
    while (state.field_scroll < state.field_cursor &&
           width_of(state.field_scroll, state.field_cursor) + cursor_cell > visible) {
        ++state.field_scroll;
    }
    while (state.field_scroll > 0 && width_of(state.field_scroll - 1, state.field.size()) + 1 <= visible) {
        --state.field_scroll;
    }
    std::wstring shown = hidden ? std::wstring(state.field.size() - state.field_scroll, L'*')
                                : state.field.substr(state.field_scroll);
    put(lay.body_top, lay.content_left, L" " + shown, lay.content_width, palette.field, true);
    move(lay.body_top, lay.content_left + 1 + width_of(state.field_scroll, state.field_cursor));
    curs_set(1);
}

// ncurses has already waited ESCDELAY for the rest of a sequence its terminfo entry knows;
// bytes that are still there right after an ESC belong to a sequence it does not know (a
// function key, or Home on a vt100 entry, which has none). That must not read as Esc: it
// would take the operator a step back. A lone ESC has nothing after it.
bool CursesScreen::Impl::swallow_unknown_sequence() {
    wtimeout(stdscr, 0);
    bool swallowed = false;
    wint_t value = 0;
    for (int status; (status = get_wch(&value)) != ERR;) {
        swallowed = true;
        // CSI and SS3 sequences end with a byte from '@' to '~' after their parameters.
        if (status == OK && value >= L'@' && value <= L'~' && value != L'[' && value != L'O') break;
    }
    wtimeout(stdscr, key_poll_ms);
    return swallowed;
}

KeyPress CursesScreen::Impl::wait_for_key() {
    for (;;) {
        check_interrupted();
        wint_t value = 0;
        int status = get_wch(&value);
        if (status == ERR) continue;  // the poll timeout, or a signal interrupted the read
        if (status == OK && value == 27 && swallow_unknown_sequence()) continue;
        KeyPress key = translate_key(status, value);
        if (key.command == Command::resize) repaint_all = true;
        if (key.command != Command::none) return key;
    }
}

Answer CursesScreen::Impl::ask_list(const Screen& screen) {
    const std::vector<ScreenItem>& items = screen.items;
    const int count = static_cast<int>(items.size());
    const bool checklist = screen.kind == ScreenKind::checklist;
    Interaction state;
    for (const ScreenItem& item : items) state.ticks.push_back(item.checked);
    // The flow's `selected` when it can be chosen, else the nearest item that can.
    state.cursor = nearest_enabled(items, screen.selected, +1);
    const int first = nearest_enabled(items, 0, +1);
    const int last = nearest_enabled(items, count - 1, -1);

    for (;;) {
        const Layout lay = draw(screen, state);
        const int page = std::max(1, lay.body_rows);
        KeyPress key = wait_for_key();
        if (key.command == Command::character) {
            const wchar_t c = key.character;
            if (c == L'k') key.command = Command::up;
            else if (c == L'j') key.command = Command::down;
            else if (c == L' ' && checklist && state.cursor >= 0) {
                state.ticks[static_cast<std::size_t>(state.cursor)] = !state.ticks[static_cast<std::size_t>(state.cursor)];
                continue;
            } else if (c >= L'1' && c <= L'9') {
                const int index = c - L'1';
                if (index < count && items[static_cast<std::size_t>(index)].enabled) state.cursor = index;
                continue;
            }
        }
        if (state.cursor < 0) {
            // Nothing can be chosen: the keys only scroll the list (and Esc still goes back).
            if (key.command == Command::up) --state.list_top;
            if (key.command == Command::down) ++state.list_top;
            if (key.command == Command::page_up) state.list_top -= page;
            if (key.command == Command::page_down) state.list_top += page;
        }
        switch (key.command) {
        case Command::up:
        case Command::home:
            if (state.cursor >= 0) {
                int moved = key.command == Command::home ? first : next_enabled(items, state.cursor, -1);
                if (moved >= 0) state.cursor = moved;
                // No choice above: show the disabled items there too.
                if (state.cursor == first) state.list_top = 0;
            }
            break;
        case Command::down:
        case Command::end:
            if (state.cursor >= 0) {
                int moved = key.command == Command::end ? last : next_enabled(items, state.cursor, +1);
                if (moved >= 0) state.cursor = moved;
                if (state.cursor == last) state.list_top = count;
            }
            break;
        case Command::page_up:
            if (state.cursor >= 0) {
                state.list_top -= page;
                state.cursor = nearest_enabled(items, state.cursor - page, -1);
            }
            break;
        case Command::page_down:
            if (state.cursor >= 0) {
                state.list_top += page;
                state.cursor = nearest_enabled(items, state.cursor + page, +1);
            }
            break;
        case Command::enter:
            if (checklist) {
                std::vector<int> ticked;
                for (int i = 0; i < count; ++i) {
                    if (state.ticks[static_cast<std::size_t>(i)]) ticked.push_back(i);
                }
                return Answer::ticks(std::move(ticked));
            }
            if (state.cursor >= 0) return Answer::pick(state.cursor);
            break;
        case Command::escape:
        case Command::erase_before:
            if (screen.can_go_back) return Answer::back_answer();
            break;
        default:
            break;
        }
    }
}

Answer CursesScreen::Impl::ask_field(const Screen& screen) {
    Interaction state;
    for (wchar_t c : widen(screen.value)) state.field.push_back(c == L'\n' || c == L'\t' ? L' ' : c);
    state.field_cursor = state.field.size();
    for (;;) {
        const Layout lay = draw(screen, state);
        const KeyPress key = wait_for_key();
        std::size_t& at = state.field_cursor;
        switch (key.command) {
        case Command::left: if (at > 0) --at; break;
        case Command::right: if (at < state.field.size()) ++at; break;
        case Command::home: at = 0; break;
        case Command::end: at = state.field.size(); break;
        case Command::erase_before:
            if (at > 0) state.field.erase(--at, 1);
            break;
        case Command::erase_at:
            if (at < state.field.size()) state.field.erase(at, 1);
            break;
        case Command::clear_field:
            state.field.clear();
            at = 0;
            break;
        case Command::character:
            state.field.insert(at++, 1, key.character);
            break;
        // Up/Down scroll a question too long for the screen.
        case Command::up: --state.text_scroll; break;
        case Command::down: ++state.text_scroll; break;
        case Command::page_up: state.text_scroll -= std::max(1, lay.text_rows); break;
        case Command::page_down: state.text_scroll += std::max(1, lay.text_rows); break;
        case Command::enter:
            return Answer::typed(narrow(state.field));
        case Command::escape:
            if (screen.can_go_back) return Answer::back_answer();
            break;
        default:
            break;
        }
    }
}

Answer CursesScreen::Impl::ask_reading(const Screen& screen) {
    const bool confirm = screen.kind == ScreenKind::confirm;
    Interaction state;
    for (;;) {
        const Layout lay = draw(screen, state);
        KeyPress key = wait_for_key();
        if (key.command == Command::character) {
            const wchar_t c = key.character;
            // Full-width letters too: typed with a Japanese input method still switched on.
            if (confirm && (c == L'y' || c == L'Y' || c == L'ｙ' || c == L'Ｙ')) return Answer::confirmed(true);
            if (confirm && (c == L'n' || c == L'N' || c == L'ｎ' || c == L'Ｎ')) return Answer::confirmed(false);
            if (c == L'k') key.command = Command::up;
            if (c == L'j') key.command = Command::down;
        }
        const int page = std::max(1, lay.text_rows);
        switch (key.command) {
        case Command::up: --state.text_scroll; break;
        case Command::down: ++state.text_scroll; break;
        case Command::page_up: state.text_scroll -= page; break;
        case Command::page_down: state.text_scroll += page; break;
        case Command::home: state.text_scroll = 0; break;
        case Command::end: state.text_scroll = INT_MAX / 2; break;
        case Command::enter:
            // A confirmation needs an explicit y or n: Enter alone must not start a restore.
            if (!confirm) return Answer::pick(0);
            break;
        case Command::escape:
            if (screen.can_go_back) return Answer::back_answer();
            break;
        default:
            break;
        }
    }
}

CursesScreen::CursesScreen(CursesScreenOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->utf8 = use_utf8_locale();
    g_crash_restore.modes_saved = tcgetattr(STDIN_FILENO, &g_crash_restore.modes) == 0;
    // newterm() is initscr() without its exit() on failure: an unknown TERM becomes an
    // error the caller reports, with the terminal still usable.
    impl_->terminal = newterm(nullptr, stdout, stdin);
    if (impl_->terminal == nullptr) {
        const char* term = std::getenv("TERM");
        throw std::runtime_error(std::string("cannot drive this terminal (TERM=") + (term ? term : "unset") + ")");
    }
    set_term(impl_->terminal);
    for (const char* capability : {"sgr0", "cnorm", "rmkx", "rmcup"}) append_capability_for_crash(capability);
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    set_escdelay(escape_delay_ms);
    curs_set(0);
    wtimeout(stdscr, key_poll_ms);
    const bool colour = !impl_->options.monochrome && !no_color_requested() && has_colors();
    impl_->palette = colour ? colour_palette() : Palette{};
    impl_->active = true;
    g_curses_active = 1;
}

CursesScreen::~CursesScreen() {
    close();
    if (impl_->terminal != nullptr) delscreen(impl_->terminal);
}

Answer CursesScreen::ask(const Screen& screen) {
    switch (screen.kind) {
    case ScreenKind::menu:
    case ScreenKind::checklist:
        return impl_->ask_list(screen);
    case ScreenKind::input:
    case ScreenKind::password:
        return impl_->ask_field(screen);
    case ScreenKind::message:
    case ScreenKind::confirm:
    case ScreenKind::progress:
        break;
    }
    return impl_->ask_reading(screen);
}

void CursesScreen::show(const Screen& screen) {
    // Keys typed while a job runs mean nothing; drop them so they do not answer the next screen.
    wtimeout(stdscr, 0);
    wint_t value = 0;
    for (int status; (status = get_wch(&value)) != ERR;) {
        if (status == KEY_CODE_YES && value == KEY_RESIZE) impl_->repaint_all = true;
    }
    wtimeout(stdscr, key_poll_ms);
    Interaction state;
    impl_->draw(screen, state);
}

void CursesScreen::suspend() {
    if (!impl_->active) return;
    def_prog_mode();
    endwin();
    impl_->active = false;
    g_curses_active = 0;
}

void CursesScreen::resume() {
    if (impl_->active) return;
    reset_prog_mode();
    refresh();
    impl_->active = true;
    impl_->repaint_all = true;
    g_curses_active = 1;
}

void CursesScreen::close() {
    if (!impl_->active) return;
    endwin();
    impl_->active = false;
    g_curses_active = 0;
}

bool CursesScreen::utf8() const { return impl_->utf8; }

void CursesScreen::restore_terminal_from_signal_handler() noexcept {
    if (g_curses_active == 0) return;
    const CrashRestore& r = g_crash_restore;
    if (r.sequence_length > 0) {
        ssize_t ignored = ::write(STDOUT_FILENO, r.sequence, r.sequence_length);
        (void)ignored;
    }
    if (r.modes_saved) tcsetattr(STDIN_FILENO, TCSANOW, &r.modes);
    g_curses_active = 0;
}

}  // namespace kura::tui
