// The menu's words in English and Japanese. Every screen takes its text from here by key;
// the catalogs live one per language (messages_en.cpp, messages_ja.cpp) and a unit test
// checks that both hold exactly the same keys and the same {placeholders}.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kura::tui {

enum class Language { en, ja };

// "en_US.UTF-8" / "ja_JP.UTF-8" and back; kura.lang= accepts "ja", "ja_JP", "ja_JP.UTF-8", ...
const char* language_locale(Language language);
bool parse_language(std::string_view text, Language& out);

using Catalog = std::map<std::string_view, std::string_view>;
const Catalog& catalog(Language language);

// The text for `key`, with {name} placeholders replaced in order from `args` (pairs of
// name, value). A key missing from the catalog comes back as "??key??" so a test that
// walks every screen finds it.
std::string tr(Language language, std::string_view key);
std::string tr(Language language, std::string_view key,
               std::initializer_list<std::pair<std::string_view, std::string>> args);
// The same with the values as the engine hands them over (core/message.h's MessageArgs).
std::string tr_values(Language language, std::string_view key,
                      const std::vector<std::pair<std::string, std::string>>& args);
bool has_text(Language language, std::string_view key);

}  // namespace kura::tui
