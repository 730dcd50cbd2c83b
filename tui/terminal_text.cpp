#include "tui/terminal_text.h"

#include <algorithm>
#include <climits>
#include <cwchar>

namespace kura::tui {

int char_width(wchar_t c) {
    int w = ::wcwidth(c);
    return w < 0 ? 0 : w;
}

int text_width(std::wstring_view text) {
    int width = 0;
    for (wchar_t c : text) width += char_width(c);
    return width;
}

namespace {

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

}  // namespace

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

}  // namespace kura::tui
