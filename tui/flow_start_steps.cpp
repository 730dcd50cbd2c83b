// The first steps: the language (also reached from the mode menu, to change it midway)
// and the keyboard layout.
#include "core/log.h"
#include "tui/flow_state.h"
#include "tui/flow_step.h"

namespace kura::tui {

using namespace flow_steps;

namespace {

Screen language_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "language.title");
    s.text = flow.t("language.text");
    s.items = {flow.item("en", "en_US.UTF-8", "English"), flow.item("ja", "ja_JP.UTF-8", "日本語")};
    s.selected = flow.language == Language::ja ? 1 : 0;
    return s;
}

void language_answer(FlowState& flow, const Answer& a) {
    bool ja = a.index == 1;
    if (flow.changing_language) {
        // From the mode menu: everything else stays as it was answered.
        flow.changing_language = false;
        flow.language = ja && flow.options.can_show_japanese ? Language::ja : Language::en;
        flow.back();
        if (ja && !flow.options.can_show_japanese) flow.error = flow.t("japanese_unavailable.text");
        return;
    }
    if (ja && !flow.options.can_show_japanese) {
        flow.language = Language::en;
        flow.go(Step::japanese_unavailable);
        return;
    }
    flow.language = ja ? Language::ja : Language::en;
    flow.go(Step::keyboard);
}

// Back from a language change asked for in the mode menu is the mode menu, unchanged.
void language_back(FlowState& flow) {
    flow.changing_language = false;
    flow.back();
}

Screen japanese_unavailable_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::message, "japanese_unavailable.title");
    s.text = flow.t("japanese_unavailable.text");
    return s;
}

void japanese_unavailable_answer(FlowState& flow, const Answer&) { flow.go(Step::keyboard); }

void choose_keymap(FlowState& flow, const std::string& name) {
    flow.keymap = name;
    if (flow.services.load_keymap(name))
        log::info("keyboard layout " + name + " loaded");
    else
        log::info("keyboard layout " + name + " chosen (no console keymap to load here)");
    flow.go(Step::repo_kind);
    flow.reached_repo_kind();
}

Screen keyboard_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "keyboard.title");
    s.text = flow.t("keyboard.text");
    s.items = {flow.item("us", flow.t("keyboard.keep"), "us"),
               flow.item("jp106", flow.t("keyboard.jp106"), "jp106"),
               flow.item("other", flow.t("keyboard.other"))};
    return s;
}

void keyboard_answer(FlowState& flow, const Answer& a) {
    if (a.index == 2) {
        flow.go(Step::keyboard_other);
        return;
    }
    choose_keymap(flow, a.index == 1 ? "jp106" : "us");
}

Screen keyboard_other_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "keyboard.title");
    s.text = flow.t("keyboard.other_text");
    for (const auto& [name, key] : kOtherKeymaps) s.items.push_back(flow.item(name, name, flow.t(key)));
    return s;
}

void keyboard_other_answer(FlowState& flow, const Answer& a) {
    if (a.index < 0 || a.index >= static_cast<int>(kOtherKeymaps.size())) return;
    choose_keymap(flow, kOtherKeymaps[static_cast<std::size_t>(a.index)].first);
}

constexpr StepRow kRows[] = {
    {.step = Step::language, .name = "language", .screen = language_screen, .answer = language_answer,
     .back = language_back},
    {.step = Step::japanese_unavailable, .name = "japanese_unavailable", .screen = japanese_unavailable_screen,
     .answer = japanese_unavailable_answer},
    {.step = Step::keyboard, .name = "keyboard", .screen = keyboard_screen, .answer = keyboard_answer},
    {.step = Step::keyboard_other, .name = "keyboard_other", .screen = keyboard_other_screen,
     .answer = keyboard_other_answer},
};

}  // namespace

std::span<const StepRow> start_steps() { return kRows; }

}  // namespace kura::tui
