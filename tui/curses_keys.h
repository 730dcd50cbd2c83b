// What a key read by ncursesw means to the menu: a command (move, confirm, go back,
// edit) or a printable character. curses_screen.cpp decides what each means on a list, a
// field or a text screen.
#pragma once

#include <cwchar>

namespace kura::tui {

enum class KeyCommand {
    none, up, down, page_up, page_down, home, end, left, right,
    enter, escape, erase_before, erase_at, clear_field, character, resize,
};

struct KeyPress {
    KeyCommand command = KeyCommand::none;
    wchar_t character = 0;  // KeyCommand::character
};

// One get_wch() result (its status and value) as a KeyPress; keys of no meaning are
// KeyCommand::none.
KeyPress translate_key(int status, wint_t value);

}  // namespace kura::tui
