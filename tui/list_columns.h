// The columns of the menu's lists (what the step handlers lay out): widths counted in
// terminal columns without a locale - the flow has none, and the catalogs' Japanese is all
// double-width - so headings, labels and sizes line up in English and Japanese alike.
#pragma once

#include "tui/screen.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kura::tui {

// Columns a UTF-8 string takes on a terminal.
std::size_t columns_of(const std::string& text);
// `text` padded with spaces to `width` columns, on the right (or on the left: right-aligned).
std::string column(const std::string& text, std::size_t width, bool right = false);
// Sizes right-aligned in a column of their own, so the lists' column headings line up.
std::string size_column(std::uint64_t bytes);
// A heading line above a list whose rows are `label_width` wide labels and then `detail`.
std::string list_heading(const std::string& label, std::size_t label_width, const std::string& detail,
                         bool checklist = false);
// The widest of the items' labels (notes aside: theirs are whole lines) and the heading.
std::size_t widest_key(const std::vector<ScreenItem>& items, const std::string& heading);
// Labels (not notes) padded to `width`, so the front's own label column is exactly as wide as the heading's.
void pad_labels(std::vector<ScreenItem>& items, std::size_t width);

}  // namespace kura::tui
