// Saving's own questions: the image's name, the disks (savedisk) or partitions
// (saveparts) to save, and the options. The plan and the y/n are flow_confirm_steps.cpp.
#include "tui/flow_state.h"
#include "tui/flow_step.h"
#include "tui/list_columns.h"
#include "tui/validation.h"

#include <algorithm>
#include <iterator>

namespace kura::tui {

using namespace flow_steps;

namespace {

Screen save_name_screen(const FlowState& flow) {
    return flow.input_screen("save_name.title", "save_name.text", flow.job.image);
}

void save_name_answer(FlowState& flow, const Answer& a) {
    flow.job.image = a.text;
    if (auto problem = check_image_name(a.text); !problem.empty()) {
        flow.error = flow.t(problem);
        return;
    }
    for (const auto& e : flow.repo.images)
        if (e.name == a.text) {
            flow.error = flow.t("error.image_exists", {{"image", a.text}});
            return;
        }
    flow.go(flow.job.mode == JobMode::savedisk ? Step::save_disks : Step::save_parts);
}

// The keys of the items the operator checked that may be chosen.
std::vector<std::string> checked_keys(const FlowState& flow, const Answer& a) {
    Screen s = flow.screen();
    std::vector<std::string> keys;
    for (int index : a.checked) {
        if (index < 0 || index >= static_cast<int>(s.items.size())) continue;
        if (!s.items[static_cast<std::size_t>(index)].enabled) continue;
        keys.push_back(s.items[static_cast<std::size_t>(index)].key);
    }
    return keys;
}

// The sources, as the job names them; none is an error shown on the list.
void sources_chosen(FlowState& flow, std::vector<std::string> chosen, const char* none_key) {
    flow.job.devices = std::move(chosen);
    if (flow.job.devices.empty()) {
        flow.error = flow.t(none_key);
        return;
    }
    flow.go(Step::save_options);
}

Screen save_disks_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::checklist, "save_disks.title");
    s.text = flow.t("save_disks.text");
    for (const auto& d : flow.disks) {
        ScreenItem i = flow.item(d.name, d.name, flow.disk_detail(d));
        i.checked = std::find(flow.job.devices.begin(), flow.job.devices.end(), d.identity()) != flow.job.devices.end();
        if (d.name == flow.repo_disk) flow.refuse(i, flow.t("reason.holds_repository"));
        s.items.push_back(i);
        std::vector<std::string> names{d.name};
        for (const auto& p : d.partitions) names.push_back(p.name);
        for (auto& note : flow.volume_notes(names)) s.items.push_back(std::move(note));
    }
    if (s.items.empty()) s.text += "\n\n" + flow.t("disks.none");
    return s;
}

void save_disks_answer(FlowState& flow, const Answer& a) {
    std::vector<std::string> chosen;
    for (const auto& key : checked_keys(flow, a))
        for (const auto& d : flow.disks)
            if (d.name == key) chosen.push_back(d.identity());
    sources_chosen(flow, std::move(chosen), "error.no_disk");
}

Screen save_parts_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::checklist, "save_parts.title");
    s.text = flow.t("save_parts.text");
    for (const auto& d : flow.disks)
        for (const auto& p : d.partitions) {
            ScreenItem i = flow.item(p.name, p.name, flow.partition_detail(p));
            i.checked = std::find(flow.job.devices.begin(), flow.job.devices.end(), p.path) != flow.job.devices.end();
            if (d.name == flow.repo_disk && !p.mount_points.empty()) flow.refuse(i, flow.t("reason.holds_repository"));
            s.items.push_back(i);
            for (auto& note : flow.volume_notes({p.name})) s.items.push_back(std::move(note));
        }
    if (s.items.empty()) {
        s.text += "\n\n" + flow.t("disks.none");
    } else {
        std::size_t width = widest_key(s.items, flow.t("column.partition"));
        pad_labels(s.items, width);
        s.text += "\n\n" + list_heading(flow.t("column.partition"), width,
                                        column(flow.t("column.size"), 9, true) + "  " + flow.t("column.fs_label"),
                                        true);
    }
    return s;
}

void save_parts_answer(FlowState& flow, const Answer& a) {
    std::vector<std::string> chosen;
    for (const auto& key : checked_keys(flow, a))
        for (const auto& d : flow.disks)
            for (const auto& p : d.partitions)
                if (p.name == key) chosen.push_back(p.path);
    sources_chosen(flow, std::move(chosen), "error.no_partition");
}

Screen save_options_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "options.title");
    s.text = flow.t("options.text");
    const auto& c = kCompressionChoices[flow.compression];
    std::uint64_t split_mb = kSplitChoicesMb[flow.split];
    const Job& job = flow.job;
    s.items = {
        flow.item("compression", flow.t("option.compression"), flow.t(c.key)),
        flow.item("fsck", flow.t("option.fsck"), flow.t(job.fsck_first ? "option.yes" : "option.no")),
        flow.item("verify", flow.t("option.verify"), flow.t(job.verify ? "option.yes" : "option.no")),
        flow.item("split", flow.t("option.split"),
                  split_mb ? flow.t("option.split_mb", {{"mb", std::to_string(split_mb)}}) : flow.t("option.no_split")),
        flow.item("when_done", flow.t("option.when_done"), flow.t(when_done_key(job.when_done))),
        flow.item("continue", flow.t("option.continue")),
    };
    // The defaults are the safe choice: Enter alone goes on.
    if (!flow.last_selected.contains(flow.step)) s.selected = static_cast<int>(s.items.size()) - 1;
    return s;
}

// Each row but the last cycles its option; the last goes on to the plan.
void save_options_answer(FlowState& flow, const Answer& a) {
    Job& job = flow.job;
    switch (a.index) {
    case 0: flow.compression = (flow.compression + 1) % std::size(kCompressionChoices); break;
    case 1: job.fsck_first = !job.fsck_first; break;
    case 2: job.verify = !job.verify; break;
    case 3: flow.split = (flow.split + 1) % std::size(kSplitChoicesMb); break;
    case 4: flow.when_done = (flow.when_done + 1) % std::size(kWhenDoneChoices); break;
    case 5: flow.make_plan(Step::save_plan); return;
    default: return;
    }
    job.codec = kCompressionChoices[flow.compression].codec;
    job.level = kCompressionChoices[flow.compression].level;
    job.split_mb = kSplitChoicesMb[flow.split];
    job.when_done = kWhenDoneChoices[flow.when_done];
}

constexpr StepRow kRows[] = {
    {.step = Step::save_name, .name = "save_name", .screen = save_name_screen, .answer = save_name_answer},
    {.step = Step::save_disks, .name = "save_disks", .screen = save_disks_screen, .answer = save_disks_answer,
     .reads_disks = true, .reads_volumes = true},
    {.step = Step::save_parts, .name = "save_parts", .screen = save_parts_screen, .answer = save_parts_answer,
     .reads_disks = true, .reads_volumes = true},
    {.step = Step::save_options, .name = "save_options", .screen = save_options_screen,
     .answer = save_options_answer},
};

}  // namespace

std::span<const StepRow> save_steps() { return kRows; }

}  // namespace kura::tui
