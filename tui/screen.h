// What one step of the menu shows, as plain data: the flow model (tui/flow.h) builds it,
// the terminal front (tui/curses_screen.h) draws it and turns keys into an Answer. Keeping
// the terminal out of this type is what lets the whole journey be unit-tested.
#pragma once

#include <string>
#include <vector>

namespace kura::tui {

enum class ScreenKind {
    menu,       // pick one item (Up/Down, Enter); disabled items are shown with their reason
    checklist,  // tick several (Space), Enter when done; at least `min_checked` ticked
    input,      // one line of text, `value` pre-filled
    password,   // one line of text, echoed as '*'
    message,    // text only; Enter goes on
    confirm,    // text and "(y/n)": y goes on, n (or Esc) goes back
    progress,   // the job is running: the front draws Flow::job_progress(), no keys but none
};

struct ScreenItem {
    std::string key;     // stable id the flow understands ("savedisk", "loop3", "zstd-3")
    std::string label;   // translated, first column
    std::string detail;  // translated, more columns (size, model, ...)
    bool enabled = true;
    std::string reason;  // why it is disabled (shown beside it)
    bool checked = false;
    // A line about the item above it (an LV under the disk holding its PV): drawn indented,
    // without a tick box, never chosen. Its whole text is `label`.
    bool note = false;
};

struct Screen {
    std::string step;   // the flow step's id ("language", "save_disks"): tests and logs name screens by it
    ScreenKind kind = ScreenKind::message;
    std::string title;  // translated
    std::string text;   // translated; may hold several lines
    std::vector<ScreenItem> items;
    // The highlighted item when shown; -1: none until the operator moves to one (a restore
    // target list where every disk holds data: no default may point at one).
    int selected = 0;
    std::size_t min_checked = 1;
    std::string value;         // input default
    std::string error;         // why the last answer was refused (shown in the error colour)
    bool can_go_back = true;   // Esc goes back a step
    std::string keys_help;     // translated line of key help at the bottom
    // Shown by the front while the answer is worked on (opening a repository, reading an
    // image take seconds): a screen that stays still that long looks hung.
    std::string working;
};

// What the operator did on a screen.
struct Answer {
    enum class Kind { choose, back } kind = Kind::choose;
    int index = -1;                 // menu: the item chosen
    std::vector<int> checked;       // checklist: ticked items, in screen order
    std::string text;               // input / password
    bool yes = false;               // confirm

    static Answer back_answer() { Answer a; a.kind = Kind::back; return a; }
    static Answer pick(int i) { Answer a; a.index = i; return a; }
    static Answer ticks(std::vector<int> items) { Answer a; a.checked = std::move(items); return a; }
    static Answer typed(std::string s) { Answer a; a.text = std::move(s); return a; }
    static Answer confirmed(bool y) { Answer a; a.yes = y; return a; }
};

}  // namespace kura::tui
