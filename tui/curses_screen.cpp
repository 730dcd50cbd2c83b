#include "tui/curses_screen.h"

#include "tui/curses_drawing.h"
#include "tui/curses_keys.h"
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
#include <string>
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
        if (key.command == KeyCommand::resize) repaint_all = true;
        if (key.command != KeyCommand::none) return key;
    }
}

Answer CursesScreen::Impl::ask_list(const Screen& screen) {
    const std::vector<ScreenItem>& items = screen.items;
    const int count = static_cast<int>(items.size());
    const bool checklist = screen.kind == ScreenKind::checklist;
    Interaction state;
    for (const ScreenItem& item : items) state.ticks.push_back(item.checked);
    // The flow's `selected` when it can be chosen, else the nearest item that can.
    // A negative `selected`: no item is highlighted until an arrow key moves to one.
    state.cursor = screen.selected < 0 ? -1 : nearest_enabled(items, screen.selected, +1);
    const int first = nearest_enabled(items, 0, +1);
    const int last = nearest_enabled(items, count - 1, -1);

    for (;;) {
        const Layout lay = draw(screen, state);
        const int page = std::max(1, lay.body_rows);
        KeyPress key = wait_for_key();
        if (key.command == KeyCommand::character) {
            const wchar_t c = key.character;
            if (c == L'k') key.command = KeyCommand::up;
            else if (c == L'j') key.command = KeyCommand::down;
            else if (c == L' ' && checklist && state.cursor >= 0) {
                state.ticks[static_cast<std::size_t>(state.cursor)] = !state.ticks[static_cast<std::size_t>(state.cursor)];
                continue;
            } else if (c >= L'1' && c <= L'9') {
                const int index = c - L'1';
                if (index < count && items[static_cast<std::size_t>(index)].enabled) state.cursor = index;
                continue;
            }
        }
        if (state.cursor < 0 && first >= 0 &&
            (key.command == KeyCommand::up || key.command == KeyCommand::down || key.command == KeyCommand::home ||
             key.command == KeyCommand::end)) {
            // No item highlighted yet: the first move lands on the first (or last) that can be chosen.
            state.cursor = key.command == KeyCommand::up || key.command == KeyCommand::end ? last : first;
            continue;
        }
        if (state.cursor < 0) {
            // Nothing can be chosen: the keys only scroll the list (and Esc still goes back).
            if (key.command == KeyCommand::up) --state.list_top;
            if (key.command == KeyCommand::down) ++state.list_top;
            if (key.command == KeyCommand::page_up) state.list_top -= page;
            if (key.command == KeyCommand::page_down) state.list_top += page;
        }
        switch (key.command) {
        case KeyCommand::up:
        case KeyCommand::home:
            if (state.cursor >= 0) {
                int moved = key.command == KeyCommand::home ? first : next_enabled(items, state.cursor, -1);
                if (moved >= 0) state.cursor = moved;
                // No choice above: show the disabled items there too.
                if (state.cursor == first) state.list_top = 0;
            }
            break;
        case KeyCommand::down:
        case KeyCommand::end:
            if (state.cursor >= 0) {
                int moved = key.command == KeyCommand::end ? last : next_enabled(items, state.cursor, +1);
                if (moved >= 0) state.cursor = moved;
                if (state.cursor == last) state.list_top = count;
            }
            break;
        case KeyCommand::page_up:
            if (state.cursor >= 0) {
                state.list_top -= page;
                state.cursor = nearest_enabled(items, state.cursor - page, -1);
            }
            break;
        case KeyCommand::page_down:
            if (state.cursor >= 0) {
                state.list_top += page;
                state.cursor = nearest_enabled(items, state.cursor + page, +1);
            }
            break;
        case KeyCommand::enter:
            if (checklist) {
                std::vector<int> ticked;
                for (int i = 0; i < count; ++i) {
                    if (state.ticks[static_cast<std::size_t>(i)]) ticked.push_back(i);
                }
                return Answer::ticks(std::move(ticked));
            }
            if (state.cursor >= 0) return Answer::pick(state.cursor);
            break;
        case KeyCommand::escape:
        case KeyCommand::erase_before:
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
        case KeyCommand::left: if (at > 0) --at; break;
        case KeyCommand::right: if (at < state.field.size()) ++at; break;
        case KeyCommand::home: at = 0; break;
        case KeyCommand::end: at = state.field.size(); break;
        case KeyCommand::erase_before:
            if (at > 0) state.field.erase(--at, 1);
            break;
        case KeyCommand::erase_at:
            if (at < state.field.size()) state.field.erase(at, 1);
            break;
        case KeyCommand::clear_field:
            state.field.clear();
            at = 0;
            break;
        case KeyCommand::character:
            state.field.insert(at++, 1, key.character);
            break;
        // Up/Down scroll a question too long for the screen.
        case KeyCommand::up: --state.text_scroll; break;
        case KeyCommand::down: ++state.text_scroll; break;
        case KeyCommand::page_up: state.text_scroll -= std::max(1, lay.text_rows); break;
        case KeyCommand::page_down: state.text_scroll += std::max(1, lay.text_rows); break;
        case KeyCommand::enter:
            return Answer::typed(narrow(state.field));
        case KeyCommand::escape:
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
        if (key.command == KeyCommand::character) {
            const wchar_t c = key.character;
            // Full-width letters too: typed with a Japanese input method still switched on.
            if (confirm && (c == L'y' || c == L'Y' || c == L'ｙ' || c == L'Ｙ')) return Answer::confirmed(true);
            if (confirm && (c == L'n' || c == L'N' || c == L'ｎ' || c == L'Ｎ')) return Answer::confirmed(false);
            if (c == L'k') key.command = KeyCommand::up;
            if (c == L'j') key.command = KeyCommand::down;
        }
        const int page = std::max(1, lay.text_rows);
        switch (key.command) {
        case KeyCommand::up: --state.text_scroll; break;
        case KeyCommand::down: ++state.text_scroll; break;
        case KeyCommand::page_up: state.text_scroll -= page; break;
        case KeyCommand::page_down: state.text_scroll += page; break;
        case KeyCommand::home: state.text_scroll = 0; break;
        case KeyCommand::end: state.text_scroll = INT_MAX / 2; break;
        case KeyCommand::enter:
            // A confirmation needs an explicit y or n: Enter alone must not start a restore.
            if (!confirm) return Answer::pick(0);
            break;
        case KeyCommand::escape:
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
