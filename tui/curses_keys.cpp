#include "tui/curses_keys.h"

#include <curses.h>

#include <cwctype>

namespace kura::tui {

// Function keys and control characters as commands; printable characters are left for the
// screen kind to interpret (j/k move in a list but are text in an input field).
KeyPress translate_key(int status, wint_t value) {
    if (status == KEY_CODE_YES) {
        switch (value) {
        case KEY_RESIZE: return {KeyCommand::resize};
        case KEY_UP: return {KeyCommand::up};
        case KEY_DOWN: return {KeyCommand::down};
        case KEY_PPAGE: case KEY_A3: return {KeyCommand::page_up};
        case KEY_NPAGE: case KEY_C3: return {KeyCommand::page_down};
        // KEY_FIND / KEY_SELECT: what vt220-like terminfo entries call the Home / End keys.
        case KEY_HOME: case KEY_FIND: case KEY_A1: return {KeyCommand::home};
        case KEY_END: case KEY_SELECT: case KEY_C1: case KEY_LL: return {KeyCommand::end};
        case KEY_LEFT: return {KeyCommand::left};
        case KEY_RIGHT: return {KeyCommand::right};
        case KEY_ENTER: return {KeyCommand::enter};
        case KEY_BACKSPACE: return {KeyCommand::erase_before};
        case KEY_DC: return {KeyCommand::erase_at};
        default: return {};
        }
    }
    switch (value) {
    case L'\n': case L'\r': return {KeyCommand::enter};
    case 27: return {KeyCommand::escape};
    case 127: case 8: return {KeyCommand::erase_before};  // Backspace sends either, per terminal
    case 16: return {KeyCommand::up};            // Ctrl-P
    case 14: return {KeyCommand::down};          // Ctrl-N
    case 1: return {KeyCommand::home};           // Ctrl-A
    case 5: return {KeyCommand::end};            // Ctrl-E
    case 4: return {KeyCommand::erase_at};       // Ctrl-D
    case 21: return {KeyCommand::clear_field};   // Ctrl-U
    default: break;
    }
    if (value < 32 || !std::iswprint(static_cast<wint_t>(value))) return {};
    return {KeyCommand::character, static_cast<wchar_t>(value)};
}

}  // namespace kura::tui
