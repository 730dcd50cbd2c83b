// What the terminal kura-menu runs on can show, decided once at start-up.
#pragma once

namespace kura::tui {

// Whether Japanese text will be readable. False on a bare Linux virtual console (the VGA or
// framebuffer text console of the machine itself, also what an iLO/iDRAC remote console
// shows): its font holds at most 512 glyphs, so kanji and kana come out as blanks or
// diamonds. False too when no UTF-8 locale is in effect (call it after CursesScreen has set
// the locale). True elsewhere: a serial line, ssh, xterm, tmux or fbterm pass UTF-8 through
// to a terminal that has the fonts. fbterm (TERM=fbterm) draws CJK on the framebuffer of the
// console itself; KURA_CJK_TERMINAL=1 says the same of any other such program.
bool terminal_can_show_japanese();

}  // namespace kura::tui
