// The mode menu (what to do with the repository), the running job, its result, and the
// steps the front carries out itself: a shell, reboot, power off.
#include "core/units.h"
#include "tui/engine_messages.h"
#include "tui/flow_state.h"
#include "tui/flow_step.h"

#include <iterator>

namespace kura::tui {

using namespace flow_steps;

namespace {

// Power off, asked first when the last image was never verified.
void power_off_chosen(FlowState& flow) {
    if (flow.unverified_image.empty()) {
        flow.step = Step::power_off;
        return;
    }
    flow.go(Step::power_off_confirm);
}

// ----- the mode menu -----

Screen mode_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "mode.title");
    s.text = flow.t("mode.text", {{"repo", flow.repo.describe}});
    for (const char* m : kModes) s.items.push_back(flow.item(m, m, flow.t(std::string("mode.") + m)));
    return s;
}

void mode_answer(FlowState& flow, const Answer& a) {
    if (a.index < 0 || a.index >= static_cast<int>(std::size(kModes))) return;
    std::string m = kModes[a.index];
    Job& job = flow.job;
    job.devices.clear();
    flow.chosen_targets.clear();
    if (m == "shell") {
        flow.go(Step::shell);
    } else if (m == "reboot") {
        flow.step = Step::reboot;
    } else if (m == "poweroff") {
        power_off_chosen(flow);
    } else if (m == "language") {
        flow.changing_language = true;
        flow.go(Step::language);
    } else if (m == "savedisk" || m == "saveparts") {
        job.mode = m == "savedisk" ? JobMode::savedisk : JobMode::saveparts;
        std::string suffix = m == "savedisk" ? "-img" : "-parts";
        job.image = flow.options.now_for_image_name + suffix;
        flow.go(Step::save_name);
    } else {
        job.mode = m == "restoredisk" ? JobMode::restoredisk : m == "restoreparts" ? JobMode::restoreparts
                                                                                   : JobMode::checkimage;
        flow.reread_repository();
        flow.go(Step::choose_image);
    }
}

// ----- the job and its result -----

Screen running_screen(const FlowState& flow) { return flow.progress_screen(ProgressSnapshot{}); }

std::string result_command(const Job& job) {
    std::string text;
    for (const auto& line : equivalent_command_lines(job, kCommandWidth))
        text += (text.empty() ? "" : "\n") + ("  " + line);
    return text;
}

Screen result_screen(const FlowState& flow) {
    const Job& job = flow.job;
    const JobResult& result = flow.result;
    Screen s = flow.base(ScreenKind::menu, result.ok ? "result.ok_title" : "result.failed_title");
    s.can_go_back = false;
    double rate = result.seconds > 0 ? static_cast<double>(result.bytes) / result.seconds : 0;
    std::string numbers = flow.t("result.numbers", {{"bytes", format_bytes(result.bytes)},
                                                    {"elapsed", format_duration(result.seconds)},
                                                    {"rate", format_bytes(static_cast<std::uint64_t>(rate))}});
    if (result.ok) {
        s.text = flow.t(std::string("result.ok_") + job_mode_name(job.mode), {{"image", job.image}}) + "\n";
        // The operator's proof: whether anything checked the image, and what.
        if (job.mode == JobMode::checkimage) s.text += flow.t("result.verified_check") + "\n";
        else if (is_save(job.mode)) s.text += flow.t(job.verify ? "result.verified_save" : "result.not_verified") + "\n";
        else s.text += flow.t(job.check_first ? "result.verified_restore" : "result.not_verified") + "\n";
        s.text += numbers;
    } else {
        s.text = flow.t("result.failed", {{"message", engine_text(flow.language, result.message)}}) + "\n" + numbers;
    }
    s.text += "\n" + flow.t("result.log", {{"log", result.log_path.empty() ? flow.options.log_path : result.log_path}});
    s.text += "\n\n" + flow.t("result.command") + "\n" + result_command(job);
    if (result.ok && is_save(job.mode)) s.text += "\n" + flow.t("result.command_saved");
    s.items = {flow.item("start_over", flow.t("result.start_over")), flow.item("reboot", flow.t("mode.reboot")),
               flow.item("poweroff", flow.t("mode.poweroff")), flow.item("shell", flow.t("mode.shell"))};
    return s;
}

// Back to the mode menu, with the repository read again (the job may have changed it).
void start_over(FlowState& flow) {
    flow.forget_history_to(Step::mode);
    if (!flow.history.empty() && flow.history.back().first == Step::mode) flow.history.pop_back();
    flow.step = Step::mode;
    flow.job.devices.clear();
    flow.reread_repository();
}

void result_answer(FlowState& flow, const Answer& a) {
    if (a.index == 1) {
        flow.step = Step::reboot;
    } else if (a.index == 2) {
        power_off_chosen(flow);
    } else if (a.index == 3) {
        flow.go(Step::shell);
    } else {
        start_over(flow);
    }
}

// ----- what the front carries out -----

// Shown only if a front draws them; the front acts on the row's action instead.
Screen front_action_screen(const FlowState& flow) { return flow.base(ScreenKind::message, "mode.title"); }

constexpr StepRow kRows[] = {
    {.step = Step::mode, .name = "mode", .screen = mode_screen, .answer = mode_answer},
    {.step = Step::running, .name = "running", .screen = running_screen, .answer = ignore_answer, .back = stay,
     .action = FlowAction::run_job},
    {.step = Step::result, .name = "result", .screen = result_screen, .answer = result_answer, .back = stay},
    {.step = Step::shell, .name = "shell", .screen = front_action_screen, .answer = ignore_answer,
     .action = FlowAction::shell},
    {.step = Step::reboot, .name = "reboot", .screen = front_action_screen, .answer = ignore_answer,
     .action = FlowAction::reboot},
    {.step = Step::power_off, .name = "power_off", .screen = front_action_screen, .answer = ignore_answer,
     .action = FlowAction::power_off},
};

}  // namespace

std::span<const StepRow> job_steps() { return kRows; }

}  // namespace kura::tui
