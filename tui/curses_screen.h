// The terminal front of kura-menu: draws one Screen (tui/screen.h) as a centred dialog box
// with ncursesw and turns the operator's keys into an Answer. It knows nothing of the
// journey; the flow model decides what a screen means. Only the UI thread may call it.
// <curses.h> stays out of this header: its macros (clear, erase, move, timeout...) would
// leak into every file that includes it.
#pragma once

#include "tui/screen.h"

#include <functional>
#include <memory>
#include <stdexcept>

namespace kura::tui {

struct CursesScreenOptions {
    // Attributes only (reverse, bold), no colour. Also chosen when the environment sets
    // NO_COLOR or the terminal has no colours (vt100 on a serial line).
    bool monochrome = false;
    // Polled while ask() waits for a key (a few times a second, and at once when a signal
    // interrupts the wait): returning true makes ask() throw ScreenInterrupted, so a Ctrl-C
    // whose handler only sets a flag still ends the menu promptly.
    std::function<bool()> interrupted;
};

// Thrown by ask() when CursesScreenOptions::interrupted says so.
class ScreenInterrupted : public std::runtime_error {
public:
    ScreenInterrupted() : std::runtime_error("interrupted while waiting for a key") {}
};

class CursesScreen {
public:
    // Sets a UTF-8 locale and takes the terminal on stdin/stdout. Throws std::runtime_error
    // when the terminal cannot be driven (no terminfo entry for TERM).
    explicit CursesScreen(CursesScreenOptions options = {});
    ~CursesScreen();
    CursesScreen(const CursesScreen&) = delete;
    CursesScreen& operator=(const CursesScreen&) = delete;

    // Draws `screen` and handles keys until the operator answers it.
    Answer ask(const Screen& screen);
    // Draws `screen` and returns at once (the running job's progress). Keys typed meanwhile
    // are discarded; a terminal resize is taken into account.
    void show(const Screen& screen);

    // Around a shell: hands the terminal back in its normal mode, then takes it again and
    // repaints everything on the next ask()/show().
    void suspend();
    void resume();
    // Gives the terminal back for good (endwin) before printing to it or exiting; idempotent.
    void close();

    // Whether a UTF-8 codeset is in effect, i.e. characters beyond ASCII can be shown at all.
    bool utf8() const;

    // Puts the terminal back into its normal mode from a fatal-signal handler (SIGSEGV,
    // SIGABRT...): async-signal-safe (tcsetattr and write() of sequences saved beforehand),
    // so a crash does not leave the console without echo and without a cursor.
    static void restore_terminal_from_signal_handler() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kura::tui
