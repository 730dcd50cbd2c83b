// What a key means to the menu: the operator at a serial console or iLO's remote console
// may have only vt100 keys, Ctrl combinations and Backspace that sends either byte.
#include "tui/curses_keys.h"

#include <curses.h>
#include <gtest/gtest.h>

#include <clocale>

namespace kura::tui {
namespace {

KeyCommand function_key(int code) { return translate_key(KEY_CODE_YES, static_cast<wint_t>(code)).command; }
KeyCommand typed(wint_t value) { return translate_key(OK, value).command; }

class CursesKeys : public ::testing::Test {
protected:
    // iswprint() decides what is a character; Japanese needs a UTF-8 locale, as kura-menu sets.
    void SetUp() override { ASSERT_NE(std::setlocale(LC_CTYPE, "C.UTF-8"), nullptr); }
    void TearDown() override { std::setlocale(LC_CTYPE, "C"); }
};

TEST_F(CursesKeys, FunctionKeysAndTheirVt220Names) {
    EXPECT_EQ(function_key(KEY_UP), KeyCommand::up);
    EXPECT_EQ(function_key(KEY_DOWN), KeyCommand::down);
    EXPECT_EQ(function_key(KEY_PPAGE), KeyCommand::page_up);
    EXPECT_EQ(function_key(KEY_NPAGE), KeyCommand::page_down);
    EXPECT_EQ(function_key(KEY_FIND), KeyCommand::home);   // Home on a vt220 entry
    EXPECT_EQ(function_key(KEY_SELECT), KeyCommand::end);  // End on a vt220 entry
    EXPECT_EQ(function_key(KEY_ENTER), KeyCommand::enter);
    EXPECT_EQ(function_key(KEY_BACKSPACE), KeyCommand::erase_before);
    EXPECT_EQ(function_key(KEY_DC), KeyCommand::erase_at);
    EXPECT_EQ(function_key(KEY_RESIZE), KeyCommand::resize);
    EXPECT_EQ(function_key(KEY_F(1)), KeyCommand::none);  // no meaning, so ignored
}

TEST_F(CursesKeys, ControlCharactersStandInForMissingKeys) {
    EXPECT_EQ(typed(L'\r'), KeyCommand::enter);
    EXPECT_EQ(typed(L'\n'), KeyCommand::enter);
    EXPECT_EQ(typed(27), KeyCommand::escape);
    EXPECT_EQ(typed(127), KeyCommand::erase_before);  // Backspace sends DEL on most terminals...
    EXPECT_EQ(typed(8), KeyCommand::erase_before);    // ...and ^H on some consoles
    EXPECT_EQ(typed(16), KeyCommand::up);             // Ctrl-P
    EXPECT_EQ(typed(14), KeyCommand::down);           // Ctrl-N
    EXPECT_EQ(typed(1), KeyCommand::home);            // Ctrl-A
    EXPECT_EQ(typed(5), KeyCommand::end);             // Ctrl-E
    EXPECT_EQ(typed(4), KeyCommand::erase_at);        // Ctrl-D
    EXPECT_EQ(typed(21), KeyCommand::clear_field);    // Ctrl-U
    EXPECT_EQ(typed(7), KeyCommand::none);            // Ctrl-G means nothing
}

TEST_F(CursesKeys, PrintableCharactersAreLeftToTheScreen) {
    KeyPress j = translate_key(OK, L'j');
    EXPECT_EQ(j.command, KeyCommand::character);  // a list reads it as Down, a field as text
    EXPECT_EQ(j.character, L'j');
    KeyPress kana = translate_key(OK, L'ｙ');  // full-width, from an input method left on
    EXPECT_EQ(kana.command, KeyCommand::character);
    EXPECT_EQ(kana.character, L'ｙ');
    EXPECT_EQ(translate_key(OK, L'日').command, KeyCommand::character);
    EXPECT_EQ(typed(0x85), KeyCommand::none);  // a C1 control is not printable
}

}  // namespace
}  // namespace kura::tui
