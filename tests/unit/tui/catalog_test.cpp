// Both catalogs cover every key, with the same placeholders, and tr() fills them in.
#include "tui/catalog.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace kura::tui {
namespace {

std::set<std::string> placeholders(std::string_view text) {
    std::set<std::string> names;
    std::string s(text);
    std::regex placeholder("\\{([a-z_]+)\\}");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), placeholder); it != std::sregex_iterator(); ++it)
        names.insert((*it)[1]);
    return names;
}

TEST(Catalog, EnglishAndJapaneseHaveTheSameKeysAndPlaceholders) {
    const Catalog& en = catalog(Language::en);
    const Catalog& ja = catalog(Language::ja);
    for (const auto& [key, text] : en) {
        auto found = ja.find(key);
        ASSERT_NE(found, ja.end()) << "missing in Japanese: " << key;
        EXPECT_EQ(placeholders(text), placeholders(found->second)) << key;
        EXPECT_FALSE(found->second.empty()) << key;
    }
    for (const auto& [key, text] : ja) EXPECT_NE(en.find(key), en.end()) << "missing in English: " << key;
}

TEST(Catalog, FillsPlaceholdersAndMarksMissingKeys) {
    EXPECT_EQ(tr(Language::en, "reason.too_small", {{"needs", "60.0 GiB"}}), "too small: needs 60.0 GiB");
    EXPECT_EQ(tr(Language::ja, "reason.too_small", {{"needs", "60.0 GiB"}}), "小さすぎます: 60.0 GiB 必要");
    EXPECT_EQ(tr(Language::en, "no.such_key"), "??no.such_key??");
}

TEST(Catalog, ParsesBootParameterLanguages) {
    Language l = Language::en;
    EXPECT_TRUE(parse_language("ja_JP.UTF-8", l));
    EXPECT_EQ(l, Language::ja);
    EXPECT_TRUE(parse_language("en", l));
    EXPECT_EQ(l, Language::en);
    EXPECT_TRUE(parse_language("ja", l));
    EXPECT_EQ(l, Language::ja);
    EXPECT_FALSE(parse_language("fr_FR.UTF-8", l));
    EXPECT_STREQ(language_locale(Language::ja), "ja_JP.UTF-8");
}

}  // namespace
}  // namespace kura::tui
