// Restoring's (and checking's) own questions: the image, a target for each of its disks
// (restoredisk) or partitions (restoreparts), and the options. The plan and the two y/n
// questions are flow_confirm_steps.cpp.
#include "core/units.h"
#include "tui/engine_messages.h"
#include "tui/flow_state.h"
#include "tui/flow_step.h"
#include "tui/list_columns.h"

#include <algorithm>
#include <iterator>

namespace kura::tui {

using namespace flow_steps;

namespace {

// ----- the image -----

std::string image_detail(const FlowState& flow, const ImageEntry& e) {
    std::string detail = e.created.empty() ? flow.t("image.date_unknown") : e.created.substr(0, 16);
    detail += "  " + format_bytes(e.bytes);
    if (!e.disks.empty()) {
        std::string names;
        for (const auto& d : e.disks) names += (names.empty() ? "" : ", ") + d.substr(0, d.find(' '));
        detail += "  " + names;
    } else {
        detail += "  " + flow.t("image.parts", {{"count", std::to_string(e.parts.size())}});
    }
    if (e.verified) detail += "  " + flow.t("image.verified");
    return detail;
}

Screen choose_image_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "choose_image.title");
    s.text = flow.t("choose_image.text", {{"repo", flow.repo.describe}});
    for (const auto& e : flow.repo.images) {
        ScreenItem i = flow.item(e.name, e.name, image_detail(flow, e));
        if (!e.restorable())
            flow.refuse(i, flow.t(e.resumable ? "reason.resumable" : "reason.incomplete"));
        else if (flow.job.mode == JobMode::restoredisk && e.disks.empty())
            flow.refuse(i, flow.t("reason.no_disks"));
        s.items.push_back(i);
    }
    if (s.items.empty()) s.text += "\n\n" + flow.t("choose_image.none");
    s.working = flow.t("working.image");
    return s;
}

void choose_image_answer(FlowState& flow, const Answer& a) {
    Screen s = flow.screen();
    if (a.index < 0 || a.index >= static_cast<int>(s.items.size())) return;
    const ScreenItem& chosen = s.items[static_cast<std::size_t>(a.index)];
    if (!chosen.enabled) {
        flow.error = chosen.reason;
        return;
    }
    flow.job.image = chosen.key;
    if (flow.job.mode == JobMode::checkimage) {
        flow.go(Step::running);
        return;
    }
    try {
        flow.needs = flow.services.image_needs(flow.job.image, flow.job.mode);
    } catch (const std::exception& e) {
        flow.error = flow.t("error.image", {{"message", engine_text(flow.language, e)}});
        return;
    }
    if (flow.needs.empty()) {
        flow.error = flow.t("error.image", {{"message", flow.job.image}});
        return;
    }
    flow.chosen_targets.assign(flow.needs.size(), "");
    flow.go(Step::restore_target, 0);
}

// ----- the targets -----

// What is on the disk now: "blank", its table and partitions, or a whole-disk filesystem.
std::string disk_contents(const FlowState& flow, const DiskInfo& d) {
    if (!d.fs_type.empty())
        return flow.t("disk.whole_fs", {{"fs", d.fs_type}, {"label", d.label.empty() ? "" : " \"" + d.label + "\""}});
    if (d.partitions.empty())
        return d.partition_table.empty() ? flow.t("disk.blank")
                                         : flow.t("disk.empty_table", {{"table", d.partition_table}});
    std::string parts;
    for (const auto& p : d.partitions) {
        std::string what = p.fs_type.empty() ? flow.t("fs.unknown") : p.fs_type;
        if (!p.label.empty()) what += " \"" + p.label + "\"";
        parts += (parts.empty() ? "" : ", ") + what;
    }
    return flow.t("disk.partitions", {{"table", d.partition_table.empty() ? "?" : d.partition_table},
                                      {"count", std::to_string(d.partitions.size())}, {"parts", parts}});
}

// The target list's cursor: a blank disk (restoredisk) or unformatted partition
// (restoreparts) that may be chosen and is not the image's source; -1 when none is.
int blank_target(const FlowState& flow, const Screen& s) {
    const ImageNeed& need = flow.needs.at(static_cast<std::size_t>(flow.target_index));
    for (std::size_t k = 0; k < s.items.size(); ++k) {
        if (!s.items[k].enabled) continue;
        for (const auto& d : flow.disks) {
            if (flow.job.mode == JobMode::restoredisk && d.name == s.items[k].key) {
                bool source = !need.source_identity.empty() && d.identity() == need.source_identity;
                if (!source && d.partitions.empty() && d.fs_type.empty()) return static_cast<int>(k);
            }
            if (flow.job.mode == JobMode::restoreparts)
                for (const auto& p : d.partitions)
                    if (p.name == s.items[k].key && p.fs_type.empty()) return static_cast<int>(k);
        }
    }
    return -1;
}

// For restoredisk, the disks; for restoreparts, every partition of every disk: each
// refused (with why) when it cannot take `need`.
std::vector<ScreenItem> target_items(const FlowState& flow, const ImageNeed& need) {
    const bool whole_disks = flow.job.mode == JobMode::restoredisk;
    std::vector<ScreenItem> items;
    // `target` is what a job names the target by (a disk's identity, a partition's path).
    auto chosen_before = flow.chosen_targets.begin() + flow.target_index;
    auto add = [&](const std::string& name, const std::string& target, std::uint64_t size, const std::string& detail,
                   const std::string& refusal) {
        ScreenItem i = flow.item(name, name, detail);
        if (!refusal.empty())
            flow.refuse(i, refusal);
        else if (size < need.min_bytes)
            flow.refuse(i, flow.t("reason.too_small", {{"needs", format_bytes(need.min_bytes)}}));
        else if (std::find(flow.chosen_targets.begin(), chosen_before, target) != chosen_before)
            flow.refuse(i, flow.t("reason.already_chosen"));
        items.push_back(i);
    };
    for (const auto& d : flow.disks) {
        std::string disk_refusal = d.name == flow.repo_disk ? flow.t("reason.holds_repository") : d.refusal;
        if (whole_disks) {
            // What is on it now comes first: whether it holds data is what the choice is about.
            std::string detail = size_column(d.size_bytes) + "  " + disk_contents(flow, d);
            if (!need.source_identity.empty() && d.identity() == need.source_identity)
                detail = size_column(d.size_bytes) + "  " + flow.t("disk.image_source") + "  " + disk_contents(flow, d);
            std::string rest = flow.disk_detail(d).substr(format_bytes(d.size_bytes).size());
            add(d.name, d.identity(), d.size_bytes, detail + rest, disk_refusal);
        } else {
            for (const auto& p : d.partitions) {
                std::string refusal = disk_refusal;
                if (!p.mount_points.empty()) refusal = flow.t("reason.mounted", {{"where", p.mount_points.front()}});
                add(p.name, p.path, p.size_bytes, flow.partition_detail(p), refusal);
            }
        }
    }
    return items;
}

Screen restore_target_screen(const FlowState& flow) {
    const bool whole_disks = flow.job.mode == JobMode::restoredisk;
    Screen s = flow.base(ScreenKind::menu, "restore_target.title");
    const ImageNeed& need = flow.needs.at(static_cast<std::size_t>(flow.target_index));
    std::string source = need.source.empty() ? format_bytes(need.source_bytes)
                                             : need.source + ", " + format_bytes(need.source_bytes);
    s.text = flow.t(whole_disks ? "restore_target.disk_text" : "restore_target.part_text",
                    {{"name", need.name}, {"source", source}, {"needs", format_bytes(need.min_bytes)},
                     {"index", std::to_string(flow.target_index + 1)}, {"count", std::to_string(flow.needs.size())}});
    s.items = target_items(flow, need);
    if (s.items.empty()) {
        s.text += "\n\n" + flow.t("disks.none");
        return s;
    }
    // The operator's own earlier choice stays; otherwise only something that holds no data.
    bool remembered = flow.last_selected.contains(flow.step) && s.selected >= 0 &&
                      s.selected < static_cast<int>(s.items.size()) &&
                      s.items[static_cast<std::size_t>(s.selected)].enabled;
    if (!remembered) {
        s.selected = blank_target(flow, s);
        if (s.selected < 0)
            s.text += "\n" + flow.t(whole_disks ? "restore_target.no_blank_disk" : "restore_target.no_blank_partition");
    }
    // The headings last, right above the list they name.
    std::string heading = flow.t(whole_disks ? "column.disk" : "column.partition");
    std::size_t width = widest_key(s.items, heading);
    pad_labels(s.items, width);
    s.text += "\n\n" + list_heading(heading, width,
                                    column(flow.t("column.size"), 9, true) + "  " +
                                        flow.t(whole_disks ? "column.now_on_it" : "column.fs_label"));
    return s;
}

// One target per disk (or partition) of the image, each on its own restore_target screen.
void restore_target_answer(FlowState& flow, const Answer& a) {
    Screen s = flow.screen();
    if (a.index < 0 || a.index >= static_cast<int>(s.items.size())) return;
    const ScreenItem& chosen = s.items[static_cast<std::size_t>(a.index)];
    if (!chosen.enabled) {
        flow.error = flow.t("error.target", {{"name", chosen.key}, {"reason", chosen.reason}});
        return;
    }
    std::string target;
    for (const auto& d : flow.disks) {
        if (flow.job.mode == JobMode::restoredisk && d.name == chosen.key) target = d.identity();
        if (flow.job.mode == JobMode::restoreparts)
            for (const auto& p : d.partitions)
                if (p.name == chosen.key) target = p.path;
    }
    flow.chosen_targets[static_cast<std::size_t>(flow.target_index)] = target;
    if (flow.target_index + 1 < static_cast<int>(flow.needs.size())) {
        flow.go(Step::restore_target, flow.target_index + 1);
        return;
    }
    flow.job.devices = flow.chosen_targets;
    flow.go(Step::restore_options);
}

// ----- the options -----

// "(about 5 min, 30.0 GB)" for the check before restoring (the rate is on the screen).
std::string check_cost(const FlowState& flow) {
    std::uint64_t bytes = 0;
    for (const auto& e : flow.repo.images)
        if (e.name == flow.job.image) bytes = e.bytes;
    // Whole minutes, rounded up: an estimate, and one that does not promise too little.
    std::uint64_t per_minute = 60 * kCheckBytesPerSecond;
    std::uint64_t minutes = std::max<std::uint64_t>(1, (bytes + per_minute - 1) / per_minute);
    return flow.t("option.check_cost",
                  {{"duration", flow.t("option.minutes", {{"minutes", std::to_string(minutes)}})},
                   {"bytes", format_bytes(bytes)}});
}

Screen restore_options_screen(const FlowState& flow) {
    const Job& job = flow.job;
    Screen s = flow.base(ScreenKind::menu, "options.title");
    s.text = flow.t("options.text") + "\n" +
             flow.t("option.check_rate", {{"rate", format_bytes(kCheckBytesPerSecond)}});
    s.items.push_back(flow.item("check_first", flow.t("option.check_first"),
                                job.check_first ? flow.t("option.yes") + "  " + check_cost(flow) : flow.t("option.no")));
    if (job.mode == JobMode::restoredisk)
        s.items.push_back(flow.item("grow", flow.t("option.grow"), flow.t(job.grow ? "option.yes" : "option.no")));
    s.items.push_back(flow.item("when_done", flow.t("option.when_done"), flow.t(when_done_key(job.when_done))));
    s.items.push_back(flow.item("continue", flow.t("option.continue")));
    if (!flow.last_selected.contains(flow.step)) s.selected = static_cast<int>(s.items.size()) - 1;
    return s;
}

// Each row but the last cycles its option; the last goes on to the plan.
void restore_options_answer(FlowState& flow, const Answer& a) {
    int index = a.index;
    // restoreparts has no "grow" row: map its rows onto restoredisk's.
    if (flow.job.mode != JobMode::restoredisk && index >= 1) ++index;
    switch (index) {
    case 0: flow.job.check_first = !flow.job.check_first; break;
    case 1: flow.job.grow = !flow.job.grow; break;
    case 2:
        flow.when_done = (flow.when_done + 1) % std::size(kWhenDoneChoices);
        flow.job.when_done = kWhenDoneChoices[flow.when_done];
        break;
    case 3: flow.make_plan(Step::restore_plan); return;
    default: return;
    }
}

constexpr StepRow kRows[] = {
    {.step = Step::choose_image, .name = "choose_image", .screen = choose_image_screen,
     .answer = choose_image_answer},
    {.step = Step::restore_target, .name = "restore_target", .screen = restore_target_screen,
     .answer = restore_target_answer, .reads_disks = true},
    {.step = Step::restore_options, .name = "restore_options", .screen = restore_options_screen,
     .answer = restore_options_answer},
};

}  // namespace

std::span<const StepRow> restore_steps() { return kRows; }

}  // namespace kura::tui
