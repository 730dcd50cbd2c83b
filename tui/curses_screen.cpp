#include "tui/curses_screen.h"

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
// Below this the dialog cannot be laid out; the operator is asked to enlarge the window.
constexpr int smallest_columns = 30;
constexpr int smallest_lines = 10;
// The box never grows wider than this on a large terminal: long lines stay readable.
constexpr int widest_box = 100;
constexpr int narrowest_box = 50;
constexpr int field_min_width = 40;
constexpr int max_error_lines = 3;

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

// ---- Text measured in terminal columns, never in bytes: a CJK character takes two columns.

int char_width(wchar_t c) {
    int w = ::wcwidth(c);
    return w < 0 ? 0 : w;
}

int text_width(std::wstring_view text) {
    int width = 0;
    for (wchar_t c : text) width += char_width(c);
    return width;
}

// UTF-8 (the catalogs, disk models, engine messages) to wide characters. mbrtowc rather than
// one mbstowcs call, so a byte that is not valid in the locale (an odd disk model string)
// becomes '?' instead of losing the whole string; control characters become '?' too, except
// the newlines and tabs that text layout handles.
std::wstring widen(std::string_view text) {
    std::wstring out;
    out.reserve(text.size());
    std::mbstate_t state{};
    std::size_t i = 0;
    while (i < text.size()) {
        wchar_t c = 0;
        std::size_t used = std::mbrtowc(&c, text.data() + i, text.size() - i, &state);
        if (used == static_cast<std::size_t>(-1) || used == static_cast<std::size_t>(-2)) {
            out.push_back(L'?');
            state = std::mbstate_t{};
            ++i;
            continue;
        }
        i += std::max<std::size_t>(used, 1);
        if (c != L'\n' && c != L'\t' && ::wcwidth(c) < 0) c = L'?';
        out.push_back(c);
    }
    return out;
}

std::string narrow(std::wstring_view text) {
    std::string out;
    std::mbstate_t state{};
    char bytes[MB_LEN_MAX];
    for (wchar_t c : text) {
        std::size_t n = std::wcrtomb(bytes, c, &state);
        if (n == static_cast<std::size_t>(-1)) {
            out.push_back('?');
            state = std::mbstate_t{};
            continue;
        }
        out.append(bytes, n);
    }
    return out;
}

// The longest prefix that fits in `width` columns (a wide character is never split).
std::wstring fit(std::wstring_view text, int width) {
    int used = 0;
    std::size_t n = 0;
    while (n < text.size() && used + char_width(text[n]) <= width) used += char_width(text[n++]);
    return std::wstring(text.substr(0, n));
}

std::wstring pad(std::wstring_view text, int width) {
    std::wstring out = fit(text, width);
    out.append(static_cast<std::size_t>(std::max(0, width - text_width(out))), L' ');
    return out;
}

// Cuts `text` to `width` columns, ending in "..." when something was cut.
std::wstring ellipsize(std::wstring_view text, int width) {
    if (text_width(text) <= width) return std::wstring(text);
    if (width <= 3) return fit(text, width);
    return fit(text, width - 3) + L"...";
}

std::wstring expand_tabs(std::wstring_view line) {
    std::wstring out;
    int column = 0;
    for (wchar_t c : line) {
        if (c == L'\t') {
            do {
                out.push_back(L' ');
                ++column;
            } while (column % 8 != 0);
        } else {
            out.push_back(c);
            column += char_width(c);
        }
    }
    return out;
}

std::vector<std::wstring> split_lines(std::wstring_view text) {
    while (!text.empty() && text.back() == L'\n') text.remove_suffix(1);
    std::vector<std::wstring> lines;
    if (text.empty()) return lines;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = text.find(L'\n', start);
        lines.push_back(expand_tabs(text.substr(start, end == std::wstring_view::npos ? text.npos : end - start)));
        if (end == std::wstring_view::npos) break;
        start = end + 1;
    }
    return lines;
}

// Japanese line breaking in its simplest form: a line may break between two CJK characters
// (there are no spaces), but not before closing punctuation or small kana, nor after an
// opening bracket; elsewhere lines break at spaces.
bool may_break_before(std::wstring_view line, std::size_t i) {
    static constexpr std::wstring_view no_break_before =
        L"、。，．・：；？！ー）」』】〕〉》ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.:;!?)]}%";
    static constexpr std::wstring_view no_break_after = L"（「『【〔〈《([{";
    wchar_t before = line[i - 1];
    wchar_t at = line[i];
    if (at == L' ' || before == L' ') return true;
    if (char_width(before) < 2 && char_width(at) < 2) return false;
    return no_break_before.find(at) == std::wstring_view::npos &&
           no_break_after.find(before) == std::wstring_view::npos;
}

void wrap_line(std::wstring_view line, int width, std::vector<std::wstring>& out) {
    if (line.empty()) {
        out.emplace_back();
        return;
    }
    std::size_t start = 0;
    while (start < line.size()) {
        int used = 0;
        std::size_t end = start;
        while (end < line.size() && used + char_width(line[end]) <= width) used += char_width(line[end++]);
        if (end == line.size()) {
            out.emplace_back(line.substr(start));
            return;
        }
        std::size_t cut = end;
        while (cut > start && !may_break_before(line, cut)) --cut;
        if (cut == start) cut = std::max(end, start + 1);  // one long word: cut it where it overflows
        std::wstring_view piece = line.substr(start, cut - start);
        while (!piece.empty() && piece.back() == L' ') piece.remove_suffix(1);
        out.emplace_back(piece);
        start = cut;
        while (start < line.size() && line[start] == L' ') ++start;
    }
}

std::vector<std::wstring> wrap(std::wstring_view text, int width) {
    std::vector<std::wstring> out;
    for (const std::wstring& line : split_lines(text)) wrap_line(line, width, out);
    return out;
}

int widest_line(std::wstring_view text) {
    int widest = 0;
    for (const std::wstring& line : split_lines(text)) widest = std::max(widest, text_width(line));
    return widest;
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

enum class Body { none, list, field, prompt };

Body body_of(const Screen& screen) {
    switch (screen.kind) {
    case ScreenKind::menu: case ScreenKind::checklist: return Body::list;
    case ScreenKind::input: case ScreenKind::password: return Body::field;
    case ScreenKind::confirm: return Body::prompt;
    case ScreenKind::progress: return screen.items.empty() ? Body::none : Body::list;
    case ScreenKind::message: return Body::none;
    }
    return Body::none;
}

// One list row: "[x] " in a checklist, the label padded to the widest label, for a
// disabled item why, and the detail.
std::vector<std::wstring> item_rows(const Screen& screen, const std::vector<bool>& ticks) {
    int label_column = 0;
    for (const ScreenItem& item : screen.items) label_column = std::max(label_column, text_width(widen(item.label)));
    std::vector<std::wstring> rows;
    rows.reserve(screen.items.size());
    for (std::size_t i = 0; i < screen.items.size(); ++i) {
        const ScreenItem& item = screen.items[i];
        std::wstring row;
        if (screen.kind == ScreenKind::checklist) row = (i < ticks.size() && ticks[i]) ? L"[x] " : L"[ ] ";
        row += pad(widen(item.label), label_column);
        // The reason comes before the detail: a long detail is cut at the box's edge, and
        // why an item cannot be chosen is what the operator must see.
        if (!item.enabled && !item.reason.empty()) row += L"  (" + widen(item.reason) + L")";
        if (!item.detail.empty()) row += L"  " + widen(item.detail);
        while (!row.empty() && row.back() == L' ') row.pop_back();
        rows.push_back(std::move(row));
    }
    return rows;
}

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

Layout lay_out(const Screen& screen, const std::vector<std::wstring>& rows) {
    Layout lay;
    if (COLS < smallest_columns || LINES < smallest_lines) {
        lay.too_small = true;
        return lay;
    }
    const Body body = body_of(screen);
    const std::wstring text = widen(screen.text);
    const std::wstring error = widen(screen.error);

    // Width: as wide as the content wants (so text is not wrapped needlessly), within the
    // terminal; a progress screen takes the widest so changing numbers do not make it jump.
    const int widest = std::min(COLS - 4, widest_box);
    const int narrowest = std::min(widest, narrowest_box);
    int natural = std::max(widest_line(text), widest_line(error));
    natural = std::max(natural, text_width(widen(screen.title)) + 4);
    for (const std::wstring& row : rows) natural = std::max(natural, text_width(row) + 2);
    if (body == Body::field) natural = std::max(natural, field_min_width);
    lay.width = screen.kind == ScreenKind::progress ? widest : std::clamp(natural + 4, narrowest, widest);
    lay.content_width = lay.width - 4;  // border and one space on each side

    lay.text = wrap(text, lay.content_width);
    lay.error = wrap(error, lay.content_width);
    if (static_cast<int>(lay.error.size()) > max_error_lines) {
        lay.error.resize(max_error_lines);
        lay.error.back() = ellipsize(lay.error.back() + L" ...", lay.content_width);
    }

    // Height: the bottom line is the key help; the box takes what is left above it. When
    // everything does not fit, the list keeps at least half the room and scrolls, the text
    // is cut (message and confirm text scrolls instead).
    const int inside_max = LINES - 1 - 2;
    const int body_wanted = body == Body::list ? static_cast<int>(rows.size()) : body == Body::none ? 0 : 1;
    const int text_wanted = static_cast<int>(lay.text.size());
    const int error_block = lay.error.empty() ? 0 : static_cast<int>(lay.error.size()) + 1;
    int gap = text_wanted > 0 && body_wanted > 0 ? 1 : 0;
    int padding = 1;
    if (2 * padding + text_wanted + gap + body_wanted + error_block > inside_max) padding = 0;
    const int room = std::max(1, inside_max - 2 * padding - gap - error_block);
    if (body == Body::list) {
        int kept = std::min(body_wanted, std::max(3, room / 2));
        lay.body_rows = std::min({body_wanted, room, std::max(kept, room - text_wanted)});
    } else {
        lay.body_rows = std::min(body_wanted, room);
    }
    lay.text_rows = std::min(text_wanted, room - lay.body_rows);
    if (lay.text_rows == 0 || lay.body_rows == 0) gap = 0;
    lay.height = 2 + 2 * padding + lay.text_rows + gap + lay.body_rows + error_block;

    lay.top = std::max(0, (LINES - 1 - lay.height) / 2);
    lay.left = (COLS - lay.width) / 2;
    lay.content_left = lay.left + 2;
    lay.text_top = lay.top + 1 + padding;
    lay.body_top = lay.text_top + lay.text_rows + gap;
    lay.error_top = lay.body_top + lay.body_rows + (lay.error.empty() ? 0 : 1);
    return lay;
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

// ---- Moving in a list whose disabled items cannot hold the cursor

int next_enabled(const std::vector<ScreenItem>& items, int from, int direction) {
    for (int i = from + direction; i >= 0 && i < static_cast<int>(items.size()); i += direction) {
        if (items[static_cast<std::size_t>(i)].enabled) return i;
    }
    return -1;
}

// `wanted` itself when enabled, else the nearest enabled item searching `direction` first.
int nearest_enabled(const std::vector<ScreenItem>& items, int wanted, int direction) {
    if (items.empty()) return -1;
    wanted = std::clamp(wanted, 0, static_cast<int>(items.size()) - 1);
    if (items[static_cast<std::size_t>(wanted)].enabled) return wanted;
    int found = next_enabled(items, wanted, direction);
    return found >= 0 ? found : next_enabled(items, wanted, -direction);
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
    Layout lay = lay_out(screen, rows);
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
