#include "tui/dialog_layout.h"

#include "tui/terminal_text.h"

#include <algorithm>

namespace kura::tui {

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

std::vector<std::wstring> item_rows(const Screen& screen, const std::vector<bool>& ticks) {
    int label_column = 0;
    // A note's label is a whole line: it must not push the items' detail column aside.
    for (const ScreenItem& item : screen.items)
        if (!item.note) label_column = std::max(label_column, text_width(widen(item.label)));
    std::vector<std::wstring> rows;
    rows.reserve(screen.items.size());
    for (std::size_t i = 0; i < screen.items.size(); ++i) {
        const ScreenItem& item = screen.items[i];
        std::wstring row;
        if (item.note) {
            // Under the label of the item above: past where its tick box is, and two more.
            rows.push_back(std::wstring(screen.kind == ScreenKind::checklist ? 6 : 2, L' ') + widen(item.label));
            continue;
        }
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

Layout lay_out(const Screen& screen, const std::vector<std::wstring>& rows, int columns, int lines) {
    Layout lay;
    if (columns < smallest_columns || lines < smallest_lines) {
        lay.too_small = true;
        return lay;
    }
    const Body body = body_of(screen);
    const std::wstring text = widen(screen.text);
    const std::wstring error = widen(screen.error);

    // Width: as wide as the content wants (so text is not wrapped needlessly), within the
    // terminal; a progress screen takes the widest so changing numbers do not make it jump.
    const int widest = std::min(columns - 4, widest_box);
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
    const int inside_max = lines - 1 - 2;
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

    lay.top = std::max(0, (lines - 1 - lay.height) / 2);
    lay.left = (columns - lay.width) / 2;
    lay.content_left = lay.left + 2;
    lay.text_top = lay.top + 1 + padding;
    lay.body_top = lay.text_top + lay.text_rows + gap;
    lay.error_top = lay.body_top + lay.body_rows + (lay.error.empty() ? 0 : 1);
    return lay;
}

int next_enabled(const std::vector<ScreenItem>& items, int from, int direction) {
    for (int i = from + direction; i >= 0 && i < static_cast<int>(items.size()); i += direction) {
        if (items[static_cast<std::size_t>(i)].enabled) return i;
    }
    return -1;
}

int nearest_enabled(const std::vector<ScreenItem>& items, int wanted, int direction) {
    if (items.empty()) return -1;
    wanted = std::clamp(wanted, 0, static_cast<int>(items.size()) - 1);
    if (items[static_cast<std::size_t>(wanted)].enabled) return wanted;
    int found = next_enabled(items, wanted, direction);
    return found >= 0 ? found : next_enabled(items, wanted, -direction);
}

}  // namespace kura::tui
