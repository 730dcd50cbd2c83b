// Text measured in terminal columns, never in bytes: a CJK character takes two columns.
// What the menu's dialogs need to lay out English and Japanese alike - widening UTF-8 for
// the locale, cutting and padding to a width, and wrapping lines (between CJK characters
// too, with the simplest of Japanese line-breaking rules). No terminal in here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kura::tui {

int char_width(wchar_t c);
int text_width(std::wstring_view text);

// UTF-8 (the catalogs, disk models, engine messages) to wide characters in the present
// locale; bytes that are not valid and control characters other than newline and tab
// become '?'.
std::wstring widen(std::string_view text);
std::string narrow(std::wstring_view text);

// The longest prefix that fits in `width` columns (a wide character is never split).
std::wstring fit(std::wstring_view text, int width);
// `fit`, then spaces up to `width` columns.
std::wstring pad(std::wstring_view text, int width);
// Cuts `text` to `width` columns, ending in "..." when something was cut.
std::wstring ellipsize(std::wstring_view text, int width);

// `text`'s lines (tabs expanded, trailing newlines dropped), each wrapped to `width` columns.
std::vector<std::wstring> wrap(std::wstring_view text, int width);
// The width of `text`'s widest line.
int widest_line(std::wstring_view text);

}  // namespace kura::tui
