#include "tui/catalog.h"

namespace kura::tui {

// One catalog per language, each in its own file.
const Catalog& english_catalog();
const Catalog& japanese_catalog();

const char* language_locale(Language language) {
    return language == Language::ja ? "ja_JP.UTF-8" : "en_US.UTF-8";
}

bool parse_language(std::string_view text, Language& out) {
    std::string_view base = text.substr(0, text.find_first_of("_.@"));
    if (base == "ja") {
        out = Language::ja;
        return true;
    }
    if (base == "en" || base == "C" || base == "POSIX") {
        out = Language::en;
        return true;
    }
    return false;
}

const Catalog& catalog(Language language) {
    return language == Language::ja ? japanese_catalog() : english_catalog();
}

namespace {

void fill_in(std::string& text, std::string_view name, const std::string& value) {
    std::string placeholder = "{" + std::string(name) + "}";
    for (std::size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size()))
        text.replace(at, placeholder.size(), value);
}

}  // namespace

std::string tr(Language language, std::string_view key) { return tr(language, key, {}); }

std::string tr(Language language, std::string_view key,
               std::initializer_list<std::pair<std::string_view, std::string>> args) {
    const Catalog& c = catalog(language);
    auto found = c.find(key);
    if (found == c.end()) return "??" + std::string(key) + "??";
    std::string text(found->second);
    for (const auto& [name, value] : args) fill_in(text, name, value);
    return text;
}

std::string tr_values(Language language, std::string_view key,
                      const std::vector<std::pair<std::string, std::string>>& args) {
    const Catalog& c = catalog(language);
    auto found = c.find(key);
    if (found == c.end()) return "??" + std::string(key) + "??";
    std::string text(found->second);
    for (const auto& [name, value] : args) fill_in(text, name, value);
    return text;
}

bool has_text(Language language, std::string_view key) { return catalog(language).contains(key); }

}  // namespace kura::tui
