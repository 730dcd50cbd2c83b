// The columns of the menu's lists: labels padded to one width, sizes right-aligned, and a
// heading line that lines up with both.
#include "tui/list_columns.h"

#include "core/units.h"

#include <algorithm>
#include <cstdio>

namespace kura::tui {

// Columns a UTF-8 string takes on a terminal, without the locale (the flow has none): the
// catalogs' Japanese is all double-width, everything else here is ASCII.
std::size_t columns_of(const std::string& text) {
    std::size_t columns = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) == 0x80) continue;  // a continuation byte
        columns += c >= 0xE0 ? 2 : 1;      // three- and four-byte characters: CJK
    }
    return columns;
}

// `text` padded with spaces to `width` columns, on the right (or on the left: right-aligned).
std::string column(const std::string& text, std::size_t width, bool right) {
    std::size_t used = columns_of(text);
    std::string spaces(used < width ? width - used : 0, ' ');
    return right ? spaces + text : text + spaces;
}

// Sizes right-aligned in a column of their own, so the lists' column headings line up.
std::string size_column(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%9s", format_bytes(bytes).c_str());
    return text;
}

// A heading line above a list whose rows are `label_width` wide labels and then `detail`.
std::string list_heading(const std::string& label, std::size_t label_width, const std::string& detail,
                         bool checklist) {
    return std::string(checklist ? "    " : "") + column(label, label_width) + "  " + detail;
}

std::size_t widest_key(const std::vector<ScreenItem>& items, const std::string& heading) {
    std::size_t widest = columns_of(heading);
    for (const auto& i : items)
        if (!i.note) widest = std::max(widest, columns_of(i.label));
    return widest;
}

// Labels padded to `width`, so the front's own label column is exactly as wide as the heading's.
void pad_labels(std::vector<ScreenItem>& items, std::size_t width) {
    for (auto& i : items)
        if (!i.note) i.label = column(i.label, width);
}

}  // namespace kura::tui
