// Before anything is written: the engine's plan, then y/n (twice for a restore, which
// overwrites the targets), and y/n before powering off with an image never verified.
// "n" goes back one step.
#include "core/units.h"
#include "tui/engine_messages.h"
#include "tui/flow_state.h"
#include "tui/flow_step.h"
#include "tui/list_columns.h"

#include <cstdio>

namespace kura::tui {

using namespace flow_steps;

namespace {

// ----- the plan -----

// The columns before the filesystem: the name (10), the arrow and the device (16).
constexpr std::size_t kNameColumns = 10;
constexpr std::size_t kBeforeFsColumns = kNameColumns + 4 + 16;

// The engine's plan names a disk's own row "disk", with the table kind and (saving) the
// identity in its device: "/dev/vda (gpt, serial:X)". What that row copies is the table and
// the boot code, so it says so instead of showing a filesystem and sizes it does not have.
std::string plan_line(const FlowState& flow, const PlanItem& i) {
    bool restore = !is_save(flow.job.mode);
    const char* arrow = restore ? "->" : "<-";
    const std::string name = column(i.name, kNameColumns);
    if (i.depth > 0) {
        // An LV under its PV's row (PlanItem::depth): indented, its long name ("VolGroup00/
        // LogVol00") taking the device's place - the row above is where it is read from -
        // so the sizes stay in their columns and the row in the 80-column box.
        const std::string indented = std::string(2 * static_cast<std::size_t>(i.depth), ' ') + i.name;
        char sizes[256];
        std::snprintf(sizes, sizeof sizes, " %-8s %9s %9s\n", i.fs_type.empty() ? "-" : i.fs_type.c_str(),
                      format_bytes(i.device_bytes).c_str(), format_bytes(i.used_bytes).c_str());
        return column(indented, kBeforeFsColumns) + sizes;
    }
    if (i.fs_type == "disk") {
        std::string device = i.device.substr(0, i.device.find(" ("));
        std::string table;
        if (auto open = i.device.find(" ("); open != std::string::npos)
            table = i.device.substr(open + 2, i.device.find_first_of(",)", open + 2) - open - 2);
        char line[512];
        std::snprintf(line, sizeof line, "%s %s %-16s ", name.c_str(), arrow, device.c_str());
        return line + flow.t("plan.disk_row", {{"table", table.empty() ? "?" : table}}) + "\n";
    }
    char line[512];
    std::snprintf(line, sizeof line, "%s %s %-16s %-8s %9s %9s\n", name.c_str(), arrow, i.device.c_str(),
                  i.fs_type.empty() ? "-" : i.fs_type.c_str(), format_bytes(i.device_bytes).c_str(),
                  format_bytes(i.used_bytes).c_str());
    return line;
}

std::string plan_text(const FlowState& flow) {
    const Job& job = flow.job;
    std::string text = flow.t("plan.header", {{"mode", job_mode_name(job.mode)}, {"image", job.image},
                                              {"repo", flow.repo.describe}}) + "\n\n";
    text += column(flow.t("column.name"), kNameColumns) + "    " +
            column(flow.t(is_save(job.mode) ? "column.source" : "column.target"), 16) + " " +
            column(flow.t("column.fs"), 8) + " " + column(flow.t("column.size"), 9, true) + " " +
            column(flow.t("column.used"), 9, true) + "\n";
    for (const auto& i : flow.plan.items) text += plan_line(flow, i);
    text += "\n" + flow.t("plan.total", {{"used", format_bytes(flow.plan.total_used_bytes())}});
    if (is_save(job.mode)) text += "\n" + flow.t("plan.free", {{"free", format_bytes(flow.repo.free_bytes)}});
    for (const auto& w : flow.plan.warnings)
        text += "\n" + flow.t("plan.warning", {{"warning", engine_text(flow.language, w)}});
    return text;
}

std::string targets_text(const FlowState& flow) {
    std::string names;
    for (const auto& d : flow.job.devices) names += (names.empty() ? "" : ", ") + d;
    return names;
}

Screen save_plan_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::message, "plan.title");
    s.text = plan_text(flow);
    return s;
}

void save_plan_answer(FlowState& flow, const Answer&) { flow.go(Step::save_confirm); }

Screen restore_plan_screen(const FlowState& flow) {
    Screen s = save_plan_screen(flow);
    s.text += "\n\n" + flow.t("plan.overwrite", {{"targets", targets_text(flow)}});
    return s;
}

void restore_plan_answer(FlowState& flow, const Answer&) { flow.go(Step::restore_confirm); }

// ----- y/n -----

Screen confirm_screen(const FlowState& flow, const std::string& text) {
    Screen s = flow.base(ScreenKind::confirm, "confirm.title");
    s.text = text;
    return s;
}

// "y" goes on to `next`, "n" back one step.
void confirm(FlowState& flow, const Answer& a, Step next) {
    if (!a.yes) {
        flow.back();
        return;
    }
    flow.go(next);
}

Screen save_confirm_screen(const FlowState& flow) {
    return confirm_screen(flow, flow.t("confirm.save", {{"image", flow.job.image}, {"repo", flow.repo.describe}}));
}

void save_confirm_answer(FlowState& flow, const Answer& a) { confirm(flow, a, Step::running); }

Screen restore_confirm_screen(const FlowState& flow) {
    return confirm_screen(flow, flow.t("confirm.restore", {{"targets", targets_text(flow)}, {"image", flow.job.image}}));
}

void restore_confirm_answer(FlowState& flow, const Answer& a) { confirm(flow, a, Step::restore_confirm_again); }

Screen restore_confirm_again_screen(const FlowState& flow) {
    return confirm_screen(flow, flow.t("confirm.restore_again", {{"targets", targets_text(flow)}}));
}

void restore_confirm_again_answer(FlowState& flow, const Answer& a) { confirm(flow, a, Step::running); }

Screen power_off_confirm_screen(const FlowState& flow) {
    return confirm_screen(flow, flow.t("confirm.power_off_unverified", {{"image", flow.unverified_image}}));
}

void power_off_confirm_answer(FlowState& flow, const Answer& a) {
    if (a.yes) flow.step = Step::power_off;
    else flow.back();
}

constexpr StepRow kRows[] = {
    {.step = Step::save_plan, .name = "save_plan", .screen = save_plan_screen, .answer = save_plan_answer},
    {.step = Step::restore_plan, .name = "restore_plan", .screen = restore_plan_screen,
     .answer = restore_plan_answer},
    {.step = Step::save_confirm, .name = "save_confirm", .screen = save_confirm_screen,
     .answer = save_confirm_answer},
    {.step = Step::restore_confirm, .name = "restore_confirm", .screen = restore_confirm_screen,
     .answer = restore_confirm_answer},
    {.step = Step::restore_confirm_again, .name = "restore_confirm_again", .screen = restore_confirm_again_screen,
     .answer = restore_confirm_again_answer},
    {.step = Step::power_off_confirm, .name = "power_off_confirm", .screen = power_off_confirm_screen,
     .answer = power_off_confirm_answer},
};

}  // namespace

std::span<const StepRow> confirm_steps() { return kRows; }

}  // namespace kura::tui
