// The pieces of screens more than one step shows: the frame every screen shares, items,
// inputs, a disk's and a partition's details, and the running job's progress.
#include "tui/flow_state.h"
#include "tui/flow_step.h"

#include "core/units.h"
#include "tui/engine_messages.h"
#include "tui/list_columns.h"

#include <algorithm>
#include <cstdio>

namespace kura::tui {

using namespace flow_steps;

Screen FlowState::base(ScreenKind kind, const std::string& title_key) const {
    Screen s;
    s.step = step_row(step).name;
    s.kind = kind;
    s.title = t(title_key);
    s.error = error;
    s.can_go_back = !history.empty();
    switch (kind) {
    case ScreenKind::menu: s.keys_help = t("keys.menu"); break;
    case ScreenKind::checklist: s.keys_help = t("keys.checklist"); break;
    case ScreenKind::input:
    case ScreenKind::password: s.keys_help = t("keys.input"); break;
    case ScreenKind::confirm: s.keys_help = t("keys.confirm"); break;
    case ScreenKind::message: s.keys_help = t("keys.message"); break;
    case ScreenKind::progress: break;
    }
    auto remembered = last_selected.find(step);
    if (remembered != last_selected.end()) s.selected = remembered->second;
    return s;
}

ScreenItem FlowState::item(std::string key, std::string label, std::string detail) {
    ScreenItem i;
    i.key = std::move(key);
    i.label = std::move(label);
    i.detail = std::move(detail);
    return i;
}

void FlowState::refuse(ScreenItem& i, const std::string& reason) {
    i.enabled = false;
    i.reason = reason;
    i.checked = false;
}

Screen FlowState::input_screen(const std::string& title_key, const std::string& text_key, const std::string& value, ScreenKind kind) const {
    Screen s = base(kind, title_key);
    s.text = t(text_key);
    s.value = value;
    return s;
}


std::string FlowState::disk_detail(const DiskInfo& d) const {
    std::string detail = format_bytes(d.size_bytes);
    std::string what = d.model.empty() ? d.vendor : d.model;
    if (!what.empty()) detail += "  " + what;
    if (!d.serial.empty()) detail += "  " + t("disk.serial", {{"serial", d.serial}});
    std::string transport = transport_name(d.transport);
    if (!transport.empty() && transport != "unknown") detail += "  " + transport;
    if (!d.backing_file.empty()) detail += "  " + d.backing_file;
    return detail;
}

std::string FlowState::partition_detail(const PartitionInfo& p) const {
    std::string detail = size_column(p.size_bytes);
    detail += "  " + (p.fs_type.empty() ? t("fs.unknown") : p.fs_type);
    if (!p.label.empty()) detail += "  \"" + p.label + "\"";
    return detail;
}

Screen FlowState::progress_screen(const ProgressSnapshot& p) const {
    Screen s = base(ScreenKind::progress, is_save(job.mode) ? "progress.save_title"
                                           : job.mode == JobMode::checkimage ? "progress.check_title"
                                                                               : "progress.restore_title");
    s.title = t(is_save(job.mode) ? "progress.save_title"
                : job.mode == JobMode::checkimage ? "progress.check_title"
                                                  : "progress.restore_title",
                {{"image", job.image}});
    s.can_go_back = false;
    auto bar = [](double percent) {
        const int width = 40;
        int filled = static_cast<int>(percent / 100.0 * width + 0.5);
        filled = std::clamp(filled, 0, width);
        return "[" + std::string(static_cast<std::size_t>(filled), '#') +
               std::string(static_cast<std::size_t>(width - filled), '.') + "]";
    };
    double item_percent = p.item_total_bytes ? 100.0 * static_cast<double>(p.item_done_bytes) /
                                                   static_cast<double>(p.item_total_bytes)
                                             : 0.0;
    item_percent = std::min(item_percent, 100.0);
    char percent_text[32];
    std::string operation = p.operation.empty() ? t("progress.starting") : t("progress.op_" + p.operation);
    s.text = t("progress.now", {{"what", operation}, {"item", p.item}}) + "\n\n";
    if (!p.item.empty()) {
        std::snprintf(percent_text, sizeof percent_text, "%5.1f%%", item_percent);
        s.text += t("progress.partition", {{"item", p.item}}) + "\n" + bar(item_percent) + " " + percent_text +
                  "  " + format_bytes(p.item_done_bytes) + " / " + format_bytes(p.item_total_bytes) + "\n\n";
    }
    std::snprintf(percent_text, sizeof percent_text, "%5.1f%%", p.percent());
    s.text += t("progress.overall") + "\n" + bar(p.percent()) + " " + percent_text + "  " +
              format_bytes(p.done_bytes) + " / " + format_bytes(p.total_bytes) + "\n\n";
    s.text += t("progress.numbers", {{"rate", format_bytes(static_cast<std::uint64_t>(p.rate_bytes_per_s))},
                                     {"elapsed", format_duration(p.elapsed_s)},
                                     {"eta", format_duration(p.eta_s)}});
    return s;
}


}  // namespace kura::tui
