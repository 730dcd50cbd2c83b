// Text measured in terminal columns: Japanese takes two columns a character, and lines
// wrap between CJK characters but not before closing punctuation.
#include "tui/terminal_text.h"

#include <gtest/gtest.h>

#include <clocale>

namespace kura::tui {
namespace {

class TerminalText : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NE(std::setlocale(LC_CTYPE, "C.UTF-8"), nullptr); }
    void TearDown() override { std::setlocale(LC_CTYPE, "C"); }
};

TEST_F(TerminalText, WidthsCountColumns) {
    EXPECT_EQ(text_width(widen("disk")), 4);
    EXPECT_EQ(text_width(widen("日本語")), 6);
    EXPECT_EQ(narrow(widen("ディスク sda")), "ディスク sda");
    EXPECT_EQ(widen("a\x01" "b"), L"a?b");  // a control character cannot reach the terminal
    EXPECT_EQ(widen("\xff"), L"?");         // nor a byte that is not UTF-8
}

TEST_F(TerminalText, FitPadAndEllipsizeNeverSplitAWideCharacter) {
    EXPECT_EQ(fit(widen("日本語"), 5), widen("日本"));
    EXPECT_EQ(text_width(pad(widen("日本語"), 5)), 5);
    EXPECT_EQ(ellipsize(L"abcdefgh", 6), L"abc...");
    EXPECT_EQ(ellipsize(L"abc", 6), L"abc");
}

TEST_F(TerminalText, WrapsAtSpacesAndBetweenJapaneseCharacters) {
    EXPECT_EQ(wrap(L"one two three", 8), (std::vector<std::wstring>{L"one two", L"three"}));
    for (const auto& l : wrap(widen("イメージを保存しました。"), 10)) EXPECT_LE(text_width(l), 10);
    // Six characters fit in 12 columns, but 。 must not start the next line: た goes with it.
    EXPECT_EQ(wrap(widen("保存しました。"), 12), (std::vector<std::wstring>{widen("保存しまし"), widen("た。")}));
    EXPECT_EQ(wrap(L"a\tb\n\nc\n", 20), (std::vector<std::wstring>{L"a       b", L"", L"c"}));
    EXPECT_EQ(widest_line(widen("ab\n日本語")), 6);
}

}  // namespace
}  // namespace kura::tui
