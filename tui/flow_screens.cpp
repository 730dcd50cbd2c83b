// What each step of the journey shows: the flow's state turned into a Screen, in the
// operator's language.
#include "tui/flow_impl.h"

#include "core/units.h"
#include "tui/engine_messages.h"
#include "tui/list_columns.h"

#include <algorithm>
#include <cstdio>

namespace kura::tui {

using namespace flow_steps;


// ----- screens -----

Screen Flow::Impl::base(ScreenKind kind, const std::string& title_key) const {
    Screen s;
    s.step = kStepNames.at(step);
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

ScreenItem Flow::Impl::item(std::string key, std::string label, std::string detail) {
    ScreenItem i;
    i.key = std::move(key);
    i.label = std::move(label);
    i.detail = std::move(detail);
    return i;
}

void Flow::Impl::refuse(ScreenItem& i, const std::string& reason) {
    i.enabled = false;
    i.reason = reason;
    i.checked = false;
}

Screen Flow::Impl::input_screen(const std::string& title_key, const std::string& text_key, const std::string& value, ScreenKind kind) const {
    Screen s = base(kind, title_key);
    s.text = t(text_key);
    s.value = value;
    return s;
}


std::string Flow::Impl::disk_detail(const DiskInfo& d) const {
    std::string detail = format_bytes(d.size_bytes);
    std::string what = d.model.empty() ? d.vendor : d.model;
    if (!what.empty()) detail += "  " + what;
    if (!d.serial.empty()) detail += "  " + t("disk.serial", {{"serial", d.serial}});
    std::string transport = transport_name(d.transport);
    if (!transport.empty() && transport != "unknown") detail += "  " + transport;
    if (!d.backing_file.empty()) detail += "  " + d.backing_file;
    return detail;
}

std::string Flow::Impl::partition_detail(const PartitionInfo& p) const {
    std::string detail = size_column(p.size_bytes);
    detail += "  " + (p.fs_type.empty() ? t("fs.unknown") : p.fs_type);
    if (!p.label.empty()) detail += "  \"" + p.label + "\"";
    return detail;
}

std::string Flow::Impl::disk_contents(const DiskInfo& d) const {
    if (!d.fs_type.empty())
        return t("disk.whole_fs", {{"fs", d.fs_type}, {"label", d.label.empty() ? "" : " \"" + d.label + "\""}});
    if (d.partitions.empty())
        return d.partition_table.empty() ? t("disk.blank") : t("disk.empty_table", {{"table", d.partition_table}});
    std::string parts;
    for (const auto& p : d.partitions) {
        std::string what = p.fs_type.empty() ? t("fs.unknown") : p.fs_type;
        if (!p.label.empty()) what += " \"" + p.label + "\"";
        parts += (parts.empty() ? "" : ", ") + what;
    }
    return t("disk.partitions", {{"table", d.partition_table.empty() ? "?" : d.partition_table},
                                 {"count", std::to_string(d.partitions.size())}, {"parts", parts}});
}

std::string Flow::Impl::check_cost() const {
    std::uint64_t bytes = 0;
    for (const auto& e : repo.images)
        if (e.name == job.image) bytes = e.bytes;
    // Whole minutes, rounded up: an estimate, and one that does not promise too little.
    std::uint64_t per_minute = 60 * kCheckBytesPerSecond;
    std::uint64_t minutes = std::max<std::uint64_t>(1, (bytes + per_minute - 1) / per_minute);
    return t("option.check_cost", {{"duration", t("option.minutes", {{"minutes", std::to_string(minutes)}})},
                                   {"bytes", format_bytes(bytes)}});
}


std::string Flow::Impl::image_detail(const ImageEntry& e) const {
    std::string detail = e.created.empty() ? t("image.date_unknown") : e.created.substr(0, 16);
    detail += "  " + format_bytes(e.bytes);
    if (!e.disks.empty()) {
        std::string names;
        for (const auto& d : e.disks) names += (names.empty() ? "" : ", ") + d.substr(0, d.find(' '));
        detail += "  " + names;
    } else {
        detail += "  " + t("image.parts", {{"count", std::to_string(e.parts.size())}});
    }
    if (e.verified) detail += "  " + t("image.verified");
    return detail;
}


// The engine's plan names a disk's own row "disk", with the table kind and (saving) the
// identity in its device: "/dev/vda (gpt, serial:X)". What that row copies is the table and
// the boot code, so it says so instead of showing a filesystem and sizes it does not have.
std::string Flow::Impl::plan_line(const PlanItem& i) const {
    bool restore = !is_save(job.mode);
    const char* arrow = restore ? "->" : "<-";
    if (i.fs_type == "disk") {
        std::string device = i.device.substr(0, i.device.find(" ("));
        std::string table;
        if (auto open = i.device.find(" ("); open != std::string::npos)
            table = i.device.substr(open + 2, i.device.find_first_of(",)", open + 2) - open - 2);
        char line[512];
        std::snprintf(line, sizeof line, "%-10s %s %-16s ", i.name.c_str(), arrow, device.c_str());
        return line + t("plan.disk_row", {{"table", table.empty() ? "?" : table}}) + "\n";
    }
    char line[512];
    std::snprintf(line, sizeof line, "%-10s %s %-16s %-8s %9s %9s\n", i.name.c_str(), arrow, i.device.c_str(),
                  i.fs_type.empty() ? "-" : i.fs_type.c_str(), format_bytes(i.device_bytes).c_str(),
                  format_bytes(i.used_bytes).c_str());
    return line;
}

std::string Flow::Impl::plan_text() const {
    std::string text = t("plan.header", {{"mode", job_mode_name(job.mode)}, {"image", job.image},
                                         {"repo", repo.describe}}) + "\n\n";
    text += column(t("column.name"), 10) + "    " + column(t(is_save(job.mode) ? "column.source" : "column.target"), 16) +
            " " + column(t("column.fs"), 8) + " " + column(t("column.size"), 9, true) + " " +
            column(t("column.used"), 9, true) + "\n";
    for (const auto& i : plan.items) text += plan_line(i);
    text += "\n" + t("plan.total", {{"used", format_bytes(plan.total_used_bytes())}});
    if (is_save(job.mode))
        text += "\n" + t("plan.free", {{"free", format_bytes(repo.free_bytes)}});
    for (const auto& w : plan.warnings) text += "\n" + t("plan.warning", {{"warning", engine_text(language, w)}});
    return text;
}


std::string Flow::Impl::targets_text() const {
    std::string names;
    for (const auto& d : job.devices) names += (names.empty() ? "" : ", ") + d;
    return names;
}


Screen Flow::Impl::screen() const {
    switch (step) {
    case Step::language: {
        Screen s = base(ScreenKind::menu, "language.title");
        s.text = t("language.text");
        s.items = {item("en", "en_US.UTF-8", "English"), item("ja", "ja_JP.UTF-8", "日本語")};
        s.selected = language == Language::ja ? 1 : 0;
        return s;
    }
    case Step::japanese_unavailable: {
        Screen s = base(ScreenKind::message, "japanese_unavailable.title");
        s.text = t("japanese_unavailable.text");
        return s;
    }
    case Step::keyboard: {
        Screen s = base(ScreenKind::menu, "keyboard.title");
        s.text = t("keyboard.text");
        s.items = {item("us", t("keyboard.keep"), "us"), item("jp106", t("keyboard.jp106"), "jp106"),
                   item("other", t("keyboard.other"))};
        return s;
    }
    case Step::keyboard_other: {
        Screen s = base(ScreenKind::menu, "keyboard.title");
        s.text = t("keyboard.other_text");
        for (const auto& [name, key] : kOtherKeymaps) s.items.push_back(item(name, name, t(key)));
        return s;
    }
    case Step::repo_kind: {
        Screen s = base(ScreenKind::menu, "repo_kind.title");
        s.text = t("repo_kind.text");
        s.items = {item("local_dev", "local_dev", t("repo_kind.local_dev")),
                   item("samba_server", "samba_server", t("repo_kind.samba_server")),
                   item("nfs_server", "nfs_server", t("repo_kind.nfs_server")),
                   item("mounted_dir", "mounted_dir", t("repo_kind.mounted_dir"))};
        return s;
    }
    case Step::local_partition: {
        Screen s = base(ScreenKind::menu, "local_partition.title");
        s.text = t("local_partition.text");
        // USB disks first: a field engineer's stick is the usual place.
        std::vector<const DiskInfo*> ordered;
        for (const auto& d : disks) ordered.push_back(&d);
        std::stable_sort(ordered.begin(), ordered.end(), [](const DiskInfo* a, const DiskInfo* b) {
            return (a->transport == Transport::usb) > (b->transport == Transport::usb);
        });
        for (const DiskInfo* d : ordered) {
            for (const auto& p : d->partitions) {
                if (!repository_fs(p.fs_type)) continue;
                ScreenItem i = item(p.name, p.name, partition_detail(p) + "  " + t("local_partition.on_disk", {{"disk", d->name}, {"detail", disk_detail(*d)}}));
                s.items.push_back(i);
            }
            if (d->partitions.empty() && repository_fs(d->fs_type))
                s.items.push_back(item(d->name, d->name, size_column(d->size_bytes) + "  " + d->fs_type));
        }
        if (s.items.empty()) {
            s.text += "\n\n" + t("local_partition.none");
        } else {
            std::size_t width = widest_key(s.items, t("column.partition"));
            pad_labels(s.items, width);
            s.text += "\n\n" + list_heading(t("column.partition"), width, column(t("column.size"), 9, true) + "  " +
                                                                              t("column.fs_label_disk"));
        }
        s.working = t("working.repository");
        // A dev: preset's partition, until the operator has moved the cursor here themselves.
        if (!last_selected.contains(step))
            for (std::size_t k = 0; k < s.items.size(); ++k)
                if (s.items[k].key == local_partition_name) s.selected = static_cast<int>(k);
        return s;
    }
    case Step::local_directory: {
        Screen s = input_screen("local_directory.title", "local_directory.text", local_directory);
        s.working = t("working.repository");
        return s;
    }
    case Step::nic: {
        Screen s = base(ScreenKind::menu, "nic.title");
        s.text = t("nic.text");
        for (const auto& n : interfaces) {
            std::string detail = n.link_up ? t("nic.link_up") : t("nic.link_down");
            if (!n.mac.empty()) detail += "  " + n.mac;
            for (const auto& a : n.addresses) detail += "  " + a;
            if (n.loopback) detail += "  " + t("nic.loopback");
            s.items.push_back(item(n.name, n.name, detail));
        }
        return s;
    }
    case Step::address_mode: {
        Screen s = base(ScreenKind::menu, "address_mode.title");
        std::string current;
        for (const auto& n : interfaces)
            if (n.name == network.interface)
                for (const auto& a : n.addresses) current += (current.empty() ? "" : ", ") + a;
        s.text = t("address_mode.text", {{"nic", network.interface},
                                         {"addresses", current.empty() ? t("address_mode.none") : current}});
        s.items = {item("dhcp", "dhcp", t("address_mode.dhcp")), item("static", "static", t("address_mode.static")),
                   item("keep", "keep", t("address_mode.keep"))};
        return s;
    }
    case Step::static_address: return input_screen("static.title", "static.address", network.address);
    case Step::static_gateway: return input_screen("static.title", "static.gateway", network.gateway);
    case Step::static_dns: return input_screen("static.title", "static.dns", network.dns);
    case Step::nfs_server: return input_screen("nfs.title", "nfs.server", server);
    case Step::nfs_export: return input_screen("nfs.title", "nfs.export", nfs_export);
    case Step::nfs_version: {
        Screen s = base(ScreenKind::menu, "nfs.title");
        s.text = t("nfs.version");
        s.items = {item("v3", "NFS v3", t("nfs.v3")), item("v4", "NFS v4", t("nfs.v4"))};
        s.working = t("working.repository");
        return s;
    }
    case Step::smb_server: return input_screen("smb.title", "smb.server", server);
    case Step::smb_share: return input_screen("smb.title", "smb.share", smb_share);
    case Step::smb_user: return input_screen("smb.title", "smb.user", smb_user_text);
    case Step::smb_password: {
        Screen s = input_screen("smb.title", "smb.password", "", ScreenKind::password);
        s.text = t("smb.password", {{"user", smb_user_text}, {"server", server}});
        return s;
    }
    case Step::smb_version: {
        Screen s = base(ScreenKind::menu, "smb.title");
        s.text = t("smb.version");
        s.items = {item("auto", "auto", t("smb.auto")), item("SMB3", "SMB3", t("smb.smb3")),
                   item("SMB2", "SMB2", t("smb.smb2"))};
        s.working = t("working.repository");
        return s;
    }
    case Step::repo_found: {
        Screen s = base(ScreenKind::message, "repo_found.title");
        std::size_t restorable = std::count_if(repo.images.begin(), repo.images.end(),
                                               [](const ImageEntry& e) { return e.restorable(); });
        s.text = t("repo_found.text", {{"repo", repo.describe}, {"free", format_bytes(repo.free_bytes)},
                                       {"images", std::to_string(restorable)}});
        return s;
    }
    case Step::mode: {
        Screen s = base(ScreenKind::menu, "mode.title");
        s.text = t("mode.text", {{"repo", repo.describe}});
        for (const char* m : kModes) s.items.push_back(item(m, m, t(std::string("mode.") + m)));
        return s;
    }
    case Step::save_name: {
        Screen s = input_screen("save_name.title", "save_name.text", job.image);
        return s;
    }
    case Step::save_disks: {
        Screen s = base(ScreenKind::checklist, "save_disks.title");
        s.text = t("save_disks.text");
        for (const auto& d : disks) {
            ScreenItem i = item(d.name, d.name, disk_detail(d));
            i.checked = std::find(job.devices.begin(), job.devices.end(), d.identity()) != job.devices.end();
            if (d.name == repo_disk) refuse(i, t("reason.holds_repository"));
            s.items.push_back(i);
        }
        if (s.items.empty()) s.text += "\n\n" + t("disks.none");
        return s;
    }
    case Step::save_parts: {
        Screen s = base(ScreenKind::checklist, "save_parts.title");
        s.text = t("save_parts.text");
        for (const auto& d : disks)
            for (const auto& p : d.partitions) {
                ScreenItem i = item(p.name, p.name, partition_detail(p));
                i.checked = std::find(job.devices.begin(), job.devices.end(), p.path) != job.devices.end();
                if (d.name == repo_disk && !p.mount_points.empty()) refuse(i, t("reason.holds_repository"));
                s.items.push_back(i);
            }
        if (s.items.empty()) {
            s.text += "\n\n" + t("disks.none");
        } else {
            std::size_t width = widest_key(s.items, t("column.partition"));
            pad_labels(s.items, width);
            s.text += "\n\n" + list_heading(t("column.partition"), width,
                                            column(t("column.size"), 9, true) + "  " + t("column.fs_label"), true);
        }
        return s;
    }
    case Step::save_options: {
        Screen s = base(ScreenKind::menu, "options.title");
        s.text = t("options.text");
        const auto& c = kCompressionChoices[compression];
        std::uint64_t split_mb = kSplitChoicesMb[split];
        s.items = {
            item("compression", t("option.compression"), t(c.key)),
            item("fsck", t("option.fsck"), t(job.fsck_first ? "option.yes" : "option.no")),
            item("verify", t("option.verify"), t(job.verify ? "option.yes" : "option.no")),
            item("split", t("option.split"),
                 split_mb ? t("option.split_mb", {{"mb", std::to_string(split_mb)}}) : t("option.no_split")),
            item("when_done", t("option.when_done"), t(when_done_key(job.when_done))),
            item("continue", t("option.continue")),
        };
        // The defaults are the safe choice: Enter alone goes on.
        if (!last_selected.contains(step)) s.selected = static_cast<int>(s.items.size()) - 1;
        return s;
    }
    case Step::restore_options: {
        Screen s = base(ScreenKind::menu, "options.title");
        s.text = t("options.text") + "\n" + t("option.check_rate", {{"rate", format_bytes(kCheckBytesPerSecond)}});
        s.items.push_back(item("check_first", t("option.check_first"),
                               job.check_first ? t("option.yes") + "  " + check_cost() : t("option.no")));
        if (job.mode == JobMode::restoredisk)
            s.items.push_back(item("grow", t("option.grow"), t(job.grow ? "option.yes" : "option.no")));
        s.items.push_back(item("when_done", t("option.when_done"), t(when_done_key(job.when_done))));
        s.items.push_back(item("continue", t("option.continue")));
        if (!last_selected.contains(step)) s.selected = static_cast<int>(s.items.size()) - 1;
        return s;
    }
    case Step::save_plan:
    case Step::restore_plan: {
        Screen s = base(ScreenKind::message, "plan.title");
        s.text = plan_text();
        if (step == Step::restore_plan) s.text += "\n\n" + t("plan.overwrite", {{"targets", targets_text()}});
        return s;
    }
    case Step::save_confirm: {
        Screen s = base(ScreenKind::confirm, "confirm.title");
        s.text = t("confirm.save", {{"image", job.image}, {"repo", repo.describe}});
        return s;
    }
    case Step::restore_confirm: {
        Screen s = base(ScreenKind::confirm, "confirm.title");
        s.text = t("confirm.restore", {{"targets", targets_text()}, {"image", job.image}});
        return s;
    }
    case Step::restore_confirm_again: {
        Screen s = base(ScreenKind::confirm, "confirm.title");
        s.text = t("confirm.restore_again", {{"targets", targets_text()}});
        return s;
    }
    case Step::choose_image: {
        Screen s = base(ScreenKind::menu, "choose_image.title");
        s.text = t("choose_image.text", {{"repo", repo.describe}});
        for (const auto& e : repo.images) {
            ScreenItem i = item(e.name, e.name, image_detail(e));
            if (!e.restorable())
                refuse(i, t(e.resumable ? "reason.resumable" : "reason.incomplete"));
            else if (job.mode == JobMode::restoredisk && e.disks.empty())
                refuse(i, t("reason.no_disks"));
            s.items.push_back(i);
        }
        if (s.items.empty()) s.text += "\n\n" + t("choose_image.none");
        s.working = t("working.image");
        return s;
    }
    case Step::restore_target: return restore_target_screen();
    case Step::running: return progress_screen(ProgressSnapshot{});
    case Step::result: return result_screen();
    case Step::power_off_confirm: {
        Screen s = base(ScreenKind::confirm, "confirm.title");
        s.text = t("confirm.power_off_unverified", {{"image", unverified_image}});
        return s;
    }
    case Step::shell:
    case Step::reboot:
    case Step::power_off: return base(ScreenKind::message, "mode.title");
    }
    return base(ScreenKind::message, "mode.title");
}


// For restoredisk, the disks; for restoreparts, every partition of every disk.
Screen Flow::Impl::restore_target_screen() const {
    Screen s = base(ScreenKind::menu, "restore_target.title");
    const ImageNeed& need = needs.at(static_cast<std::size_t>(target_index));
    std::string source = need.source.empty() ? format_bytes(need.source_bytes)
                                             : need.source + ", " + format_bytes(need.source_bytes);
    s.text = t(job.mode == JobMode::restoredisk ? "restore_target.disk_text" : "restore_target.part_text",
               {{"name", need.name}, {"source", source}, {"needs", format_bytes(need.min_bytes)},
                {"index", std::to_string(target_index + 1)}, {"count", std::to_string(needs.size())}});
    // `target` is what a job names the target by (a disk's identity, a partition's path).
    auto add = [&](const std::string& name, const std::string& target, std::uint64_t size, const std::string& detail,
                   const std::string& refusal) {
        ScreenItem i = item(name, name, detail);
        if (!refusal.empty())
            refuse(i, refusal);
        else if (size < need.min_bytes)
            refuse(i, t("reason.too_small", {{"needs", format_bytes(need.min_bytes)}}));
        else if (std::find(chosen_targets.begin(), chosen_targets.begin() + target_index, target) !=
                 chosen_targets.begin() + target_index)
            refuse(i, t("reason.already_chosen"));
        s.items.push_back(i);
    };
    for (const auto& d : disks) {
        std::string disk_refusal = d.name == repo_disk ? t("reason.holds_repository") : d.refusal;
        if (job.mode == JobMode::restoredisk) {
            // What is on it now comes first: whether it holds data is what the choice is about.
            std::string detail = size_column(d.size_bytes) + "  " + disk_contents(d);
            if (!need.source_identity.empty() && d.identity() == need.source_identity)
                detail = size_column(d.size_bytes) + "  " + t("disk.image_source") + "  " + disk_contents(d);
            std::string rest = disk_detail(d).substr(format_bytes(d.size_bytes).size());
            add(d.name, d.identity(), d.size_bytes, detail + rest, disk_refusal);
        } else {
            for (const auto& p : d.partitions) {
                std::string refusal = disk_refusal;
                if (!p.mount_points.empty()) refusal = t("reason.mounted", {{"where", p.mount_points.front()}});
                add(p.name, p.path, p.size_bytes, partition_detail(p), refusal);
            }
        }
    }
    if (s.items.empty()) {
        s.text += "\n\n" + t("disks.none");
        return s;
    }
    // The operator's own earlier choice stays; otherwise only something that holds no data.
    bool remembered = last_selected.contains(step) && s.selected >= 0 &&
                      s.selected < static_cast<int>(s.items.size()) &&
                      s.items[static_cast<std::size_t>(s.selected)].enabled;
    if (!remembered) {
        s.selected = blank_target(s);
        if (s.selected < 0) s.text += "\n" + t(job.mode == JobMode::restoredisk ? "restore_target.no_blank_disk"
                                                                                   : "restore_target.no_blank_partition");
    }
    // The headings last, right above the list they name.
    std::size_t width = widest_key(s.items, t(job.mode == JobMode::restoredisk ? "column.disk" : "column.partition"));
    pad_labels(s.items, width);
    s.text += "\n\n" + list_heading(t(job.mode == JobMode::restoredisk ? "column.disk" : "column.partition"), width,
                                    column(t("column.size"), 9, true) + "  " +
                                        t(job.mode == JobMode::restoredisk ? "column.now_on_it" : "column.fs_label"));
    return s;
}


int Flow::Impl::blank_target(const Screen& s) const {
    const ImageNeed& need = needs.at(static_cast<std::size_t>(target_index));
    for (std::size_t k = 0; k < s.items.size(); ++k) {
        if (!s.items[k].enabled) continue;
        for (const auto& d : disks) {
            if (job.mode == JobMode::restoredisk && d.name == s.items[k].key) {
                bool source = !need.source_identity.empty() && d.identity() == need.source_identity;
                if (!source && d.partitions.empty() && d.fs_type.empty()) return static_cast<int>(k);
            }
            if (job.mode == JobMode::restoreparts)
                for (const auto& p : d.partitions)
                    if (p.name == s.items[k].key && p.fs_type.empty()) return static_cast<int>(k);
        }
    }
    return -1;
}


Screen Flow::Impl::progress_screen(const ProgressSnapshot& p) const {
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


std::string Flow::Impl::result_command() const {
    std::string text;
    for (const auto& line : equivalent_command_lines(job, kCommandWidth)) text += (text.empty() ? "" : "\n") + ("  " + line);
    return text;
}


Screen Flow::Impl::result_screen() const {
    Screen s = base(ScreenKind::menu, result.ok ? "result.ok_title" : "result.failed_title");
    s.can_go_back = false;
    double rate = result.seconds > 0 ? static_cast<double>(result.bytes) / result.seconds : 0;
    std::string numbers = t("result.numbers", {{"bytes", format_bytes(result.bytes)},
                                               {"elapsed", format_duration(result.seconds)},
                                               {"rate", format_bytes(static_cast<std::uint64_t>(rate))}});
    if (result.ok) {
        s.text = t(std::string("result.ok_") + job_mode_name(job.mode), {{"image", job.image}}) + "\n";
        // The operator's proof: whether anything checked the image, and what.
        if (job.mode == JobMode::checkimage) s.text += t("result.verified_check") + "\n";
        else if (is_save(job.mode)) s.text += t(job.verify ? "result.verified_save" : "result.not_verified") + "\n";
        else s.text += t(job.check_first ? "result.verified_restore" : "result.not_verified") + "\n";
        s.text += numbers;
    } else {
        s.text = t("result.failed", {{"message", engine_text(language, result.message)}}) + "\n" + numbers;
    }
    s.text += "\n" + t("result.log", {{"log", result.log_path.empty() ? options.log_path : result.log_path}});
    s.text += "\n\n" + t("result.command") + "\n" + result_command();
    if (result.ok && is_save(job.mode)) s.text += "\n" + t("result.command_saved");
    s.items = {item("start_over", t("result.start_over")), item("reboot", t("mode.reboot")),
               item("poweroff", t("mode.poweroff")), item("shell", t("mode.shell"))};
    return s;
}

}  // namespace kura::tui
