// Where the images live: the kind of repository, a partition of a local disk or a mounted
// directory, and what was found there. (The network and server questions of the other
// kinds are flow_network_steps.cpp and flow_server_steps.cpp.)
#include "core/units.h"
#include "tui/flow_state.h"
#include "tui/flow_step.h"
#include "tui/list_columns.h"
#include "tui/validation.h"

#include <algorithm>
#include <iterator>

namespace kura::tui {

using namespace flow_steps;

namespace {

Screen repo_kind_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "repo_kind.title");
    s.text = flow.t("repo_kind.text");
    s.items = {flow.item("local_dev", "local_dev", flow.t("repo_kind.local_dev")),
               flow.item("samba_server", "samba_server", flow.t("repo_kind.samba_server")),
               flow.item("nfs_server", "nfs_server", flow.t("repo_kind.nfs_server")),
               flow.item("mounted_dir", "mounted_dir", flow.t("repo_kind.mounted_dir"))};
    return s;
}

void repo_kind_answer(FlowState& flow, const Answer& a) {
    if (a.index < 0 || a.index >= static_cast<int>(std::size(kRepoKinds))) return;
    flow.repo_kind = kRepoKinds[a.index];
    flow.preset_pending = false;  // the operator chose for themselves
    if (flow.repo_kind == "local_dev") {
        flow.go(Step::local_partition);
    } else if (flow.repo_kind == "mounted_dir") {
        flow.go(Step::local_directory);
    } else {
        flow.interfaces = flow.services.network_interfaces();
        flow.go(Step::nic);
    }
}

Screen local_partition_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "local_partition.title");
    s.text = flow.t("local_partition.text");
    // USB disks first: a field engineer's stick is the usual place.
    std::vector<const DiskInfo*> ordered;
    for (const auto& d : flow.disks) ordered.push_back(&d);
    std::stable_sort(ordered.begin(), ordered.end(), [](const DiskInfo* a, const DiskInfo* b) {
        return (a->transport == Transport::usb) > (b->transport == Transport::usb);
    });
    for (const DiskInfo* d : ordered) {
        for (const auto& p : d->partitions) {
            if (!repository_fs(p.fs_type)) continue;
            ScreenItem i = flow.item(p.name, p.name,
                                     flow.partition_detail(p) + "  " +
                                         flow.t("local_partition.on_disk",
                                                {{"disk", d->name}, {"detail", flow.disk_detail(*d)}}));
            s.items.push_back(i);
        }
        if (d->partitions.empty() && repository_fs(d->fs_type))
            s.items.push_back(flow.item(d->name, d->name, size_column(d->size_bytes) + "  " + d->fs_type));
    }
    if (s.items.empty()) {
        s.text += "\n\n" + flow.t("local_partition.none");
    } else {
        std::size_t width = widest_key(s.items, flow.t("column.partition"));
        pad_labels(s.items, width);
        s.text += "\n\n" + list_heading(flow.t("column.partition"), width,
                                        column(flow.t("column.size"), 9, true) + "  " + flow.t("column.fs_label_disk"));
    }
    s.working = flow.t("working.repository");
    // A dev: preset's partition, until the operator has moved the cursor here themselves.
    if (!flow.last_selected.contains(flow.step))
        for (std::size_t k = 0; k < s.items.size(); ++k)
            if (s.items[k].key == flow.local_partition_name) s.selected = static_cast<int>(k);
    return s;
}

void local_partition_answer(FlowState& flow, const Answer& a) {
    Screen s = flow.screen();
    if (a.index < 0 || a.index >= static_cast<int>(s.items.size())) return;
    std::string name = s.items[static_cast<std::size_t>(a.index)].key;
    for (const auto& d : flow.disks) {
        if (d.name == name) flow.repo_disk = d.name;
        for (const auto& p : d.partitions)
            if (p.name == name) flow.repo_disk = d.name;
    }
    flow.open_repo("dev:" + name, Step::local_partition);
}

Screen local_directory_screen(const FlowState& flow) {
    Screen s = flow.input_screen("local_directory.title", "local_directory.text", flow.local_directory);
    s.working = flow.t("working.repository");
    return s;
}

void local_directory_answer(FlowState& flow, const Answer& a) {
    std::string problem = check_local_directory(a.text);
    flow.local_directory = a.text;
    if (!problem.empty()) {
        flow.error = flow.t(problem);
        return;
    }
    flow.repo_disk.clear();
    flow.open_repo(a.text, Step::local_directory);
}

Screen repo_found_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::message, "repo_found.title");
    std::size_t restorable = std::count_if(flow.repo.images.begin(), flow.repo.images.end(),
                                           [](const ImageEntry& e) { return e.restorable(); });
    s.text = flow.t("repo_found.text", {{"repo", flow.repo.describe}, {"free", format_bytes(flow.repo.free_bytes)},
                                        {"images", std::to_string(restorable)}});
    return s;
}

void repo_found_answer(FlowState& flow, const Answer&) { flow.go(Step::mode); }

constexpr StepRow kRows[] = {
    {.step = Step::repo_kind, .name = "repo_kind", .screen = repo_kind_screen, .answer = repo_kind_answer},
    {.step = Step::local_partition, .name = "local_partition", .screen = local_partition_screen,
     .answer = local_partition_answer, .reads_disks = true},
    {.step = Step::local_directory, .name = "local_directory", .screen = local_directory_screen,
     .answer = local_directory_answer},
    {.step = Step::repo_found, .name = "repo_found", .screen = repo_found_screen, .answer = repo_found_answer},
};

}  // namespace

std::span<const StepRow> repository_steps() { return kRows; }

}  // namespace kura::tui
