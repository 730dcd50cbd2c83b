#include "tui/flow.h"

#include "core/error.h"
#include "core/log.h"
#include "core/units.h"
#include "tui/validation.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace kura::tui {
namespace {

enum class Step {
    language, japanese_unavailable, keyboard, keyboard_other,
    repo_kind, local_partition, local_directory,
    nic, address_mode, static_address, static_gateway, static_dns,
    nfs_server, nfs_export, nfs_version,
    smb_server, smb_share, smb_user, smb_password, smb_version,
    repo_found, mode,
    save_name, save_disks, save_parts, save_options, save_plan, save_confirm,
    choose_image, restore_target, restore_options, restore_plan, restore_confirm, restore_confirm_again,
    running, result, shell, reboot, power_off,
};

const std::map<Step, const char*> kStepNames = {
    {Step::language, "language"}, {Step::japanese_unavailable, "japanese_unavailable"},
    {Step::keyboard, "keyboard"}, {Step::keyboard_other, "keyboard_other"},
    {Step::repo_kind, "repo_kind"}, {Step::local_partition, "local_partition"},
    {Step::local_directory, "local_directory"}, {Step::nic, "nic"}, {Step::address_mode, "address_mode"},
    {Step::static_address, "static_address"}, {Step::static_gateway, "static_gateway"},
    {Step::static_dns, "static_dns"}, {Step::nfs_server, "nfs_server"}, {Step::nfs_export, "nfs_export"},
    {Step::nfs_version, "nfs_version"}, {Step::smb_server, "smb_server"}, {Step::smb_share, "smb_share"},
    {Step::smb_user, "smb_user"}, {Step::smb_password, "smb_password"}, {Step::smb_version, "smb_version"},
    {Step::repo_found, "repo_found"}, {Step::mode, "mode"}, {Step::save_name, "save_name"},
    {Step::save_disks, "save_disks"}, {Step::save_parts, "save_parts"}, {Step::save_options, "save_options"},
    {Step::save_plan, "save_plan"}, {Step::save_confirm, "save_confirm"}, {Step::choose_image, "choose_image"},
    {Step::restore_target, "restore_target"}, {Step::restore_options, "restore_options"},
    {Step::restore_plan, "restore_plan"}, {Step::restore_confirm, "restore_confirm"},
    {Step::restore_confirm_again, "restore_confirm_again"}, {Step::running, "running"},
    {Step::result, "result"}, {Step::shell, "shell"}, {Step::reboot, "reboot"}, {Step::power_off, "power_off"},
};

// Layouts offered besides us and jp106: the ones Debian's console-data ships that servers
// in the field are most often set up with.
const std::vector<std::pair<const char*, const char*>> kOtherKeymaps = {
    {"uk", "keymap.uk"}, {"de", "keymap.de"},       {"fr", "keymap.fr"},
    {"es", "keymap.es"}, {"it", "keymap.it"},       {"pt", "keymap.pt"},
    {"br-abnt2", "keymap.br"}, {"se", "keymap.se"}, {"no", "keymap.no"},
    {"dk", "keymap.dk"}, {"fi", "keymap.fi"},       {"ch-de", "keymap.ch"},
    {"be", "keymap.be"}, {"pl", "keymap.pl"},       {"ru", "keymap.ru"},
    {"kr", "keymap.kr"}, {"tw", "keymap.tw"},       {"dvorak", "keymap.dvorak"},
};

// The compression choices the save options cycle through: codec, level, catalog key.
struct CompressionChoice {
    const char* codec;
    int level;
    const char* key;
};
const CompressionChoice kCompressionChoices[] = {
    {"zstd", 3, "option.zstd_3"},  {"zstd", 1, "option.zstd_1"}, {"zstd", 9, "option.zstd_9"},
    {"zstd", 19, "option.zstd_19"}, {"gzip", 6, "option.gzip"},  {"none", 0, "option.none"},
};
const std::uint64_t kSplitChoicesMb[] = {4096, 2000, 1000, 0};
const WhenDone kWhenDoneChoices[] = {WhenDone::show_result, WhenDone::reboot, WhenDone::power_off};

// The filesystems kura can mount itself for a `dev:` repository.
bool repository_fs(const std::string& fs) {
    return fs == "ext2" || fs == "ext3" || fs == "ext4" || fs == "vfat" || fs == "exfat" || fs == "ntfs";
}

bool is_save(JobMode mode) { return mode == JobMode::savedisk || mode == JobMode::saveparts; }

std::string when_done_key(WhenDone when) {
    switch (when) {
    case WhenDone::reboot: return "option.when_reboot";
    case WhenDone::power_off: return "option.when_power_off";
    default: return "option.when_result";
    }
}

}  // namespace

struct Flow::Impl {
    MenuServices& services;
    FlowOptions options;
    Language language = Language::en;
    Job job;

    Step step = Step::language;
    int target_index = 0;  // restore_target: which disk (or partition) of the image
    std::vector<std::pair<Step, int>> history;
    std::string error;                  // shown on the current screen once
    std::map<Step, int> last_selected;  // where the cursor was when the operator left a step

    // Answers kept so that going back shows them again.
    std::string keymap = "us";
    std::string repo_kind;
    std::string local_directory;
    std::string nic;
    NetworkSettings network;
    std::string server;
    std::string nfs_export = "/home/partimag";
    bool nfs_v4 = false;
    std::string smb_share = "images";
    std::string smb_user_text;
    std::string smb_domain, smb_user;
    std::string smb_password;
    std::string smb_protocol;  // "", "SMB3", "SMB2"
    std::string repo_location;  // what was opened
    RepositoryStatus repo;
    std::string repo_disk;      // the disk holding a dev: repository (never a save source or target)

    std::vector<DiskInfo> disks;
    std::vector<NetworkInterface> interfaces;
    std::vector<std::string> save_parts_paths;  // save_parts: the items' partition paths
    std::vector<ImageNeed> needs;
    std::vector<std::string> target_paths;  // restore_target: the items' paths, parallel to the screen
    std::vector<std::string> chosen_targets;
    std::string image_choice;
    Plan plan;
    JobResult result;
    std::size_t compression = 0;
    std::size_t split = 0;
    std::size_t when_done = 0;

    Impl(MenuServices& s, FlowOptions o) : services(s), options(std::move(o)) {
        job.only_devices = options.only_devices;
        local_directory = options.default_local_directory;
        if (options.language) language = *options.language;
        if (language == Language::ja && !options.can_show_japanese) language = Language::en;
        if (options.keymap) keymap = *options.keymap;
        // Preset steps are skipped but stay in the history, so Back still reaches them.
        if (options.language) {
            history.push_back({Step::language, 0});
            step = Step::keyboard;
            if (options.language == Language::ja && !options.can_show_japanese) step = Step::japanese_unavailable;
        }
        if (options.keymap && step == Step::keyboard) {
            services.load_keymap(keymap);
            history.push_back({Step::keyboard, 0});
            step = Step::repo_kind;
        }
    }

    std::string t(std::string_view key) const { return tr(language, key); }
    std::string t(std::string_view key, std::initializer_list<std::pair<std::string_view, std::string>> args) const {
        return tr(language, key, args);
    }

    // ----- moving between steps -----

    void go(Step next, int index = 0) {
        history.push_back({step, target_index});
        step = next;
        target_index = index;
        error.clear();
    }
    void back() {
        if (history.empty()) return;
        auto [previous, index] = history.back();
        history.pop_back();
        step = previous;
        target_index = index;
        error.clear();
    }
    // Back to an earlier step (dropping what came after it), with an error to show there.
    void return_to(Step earlier, const std::string& message) {
        while (!history.empty() && step != earlier) back();
        if (step != earlier) step = earlier;
        error = message;
    }
    // Forgets the steps back to (and including) `stop`, so that Back from the next
    // screen does not walk through a finished job or a chosen repository again.
    void forget_history_to(Step stop) {
        auto it = std::find_if(history.begin(), history.end(), [&](const auto& h) { return h.first == stop; });
        if (it != history.end()) history.erase(it + 1, history.end());
    }

    // ----- screens -----

    Screen base(ScreenKind kind, const std::string& title_key) const {
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
    static ScreenItem item(std::string key, std::string label, std::string detail = {}) {
        ScreenItem i;
        i.key = std::move(key);
        i.label = std::move(label);
        i.detail = std::move(detail);
        return i;
    }
    // An item shown but not offered, with why.
    static void refuse(ScreenItem& i, const std::string& reason) {
        i.enabled = false;
        i.reason = reason;
        i.checked = false;
    }
    Screen input_screen(const std::string& title_key, const std::string& text_key, const std::string& value,
                        ScreenKind kind = ScreenKind::input) const {
        Screen s = base(kind, title_key);
        s.text = t(text_key);
        s.value = value;
        return s;
    }

    std::string disk_detail(const DiskInfo& d) const {
        std::string detail = format_bytes(d.size_bytes);
        std::string what = d.model.empty() ? d.vendor : d.model;
        if (!what.empty()) detail += "  " + what;
        if (!d.serial.empty()) detail += "  " + t("disk.serial", {{"serial", d.serial}});
        std::string transport = transport_name(d.transport);
        if (!transport.empty() && transport != "unknown") detail += "  " + transport;
        if (!d.backing_file.empty()) detail += "  " + d.backing_file;
        return detail;
    }
    std::string partition_detail(const PartitionInfo& p) const {
        std::string detail = format_bytes(p.size_bytes);
        detail += "  " + (p.fs_type.empty() ? t("fs.unknown") : p.fs_type);
        if (!p.label.empty()) detail += "  \"" + p.label + "\"";
        return detail;
    }

    std::string image_detail(const ImageEntry& e) const {
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

    std::string plan_text() const {
        bool restore = !is_save(job.mode);
        std::string text = t("plan.header", {{"mode", job_mode_name(job.mode)}, {"image", job.image},
                                             {"repo", repo.describe}}) + "\n\n";
        for (const auto& i : plan.items) {
            char line[512];
            std::snprintf(line, sizeof line, "%-10s %s %-16s %-6s %9s  %s\n", i.name.c_str(), restore ? "->" : "<-",
                          i.device.c_str(), i.fs_type.empty() ? "-" : i.fs_type.c_str(),
                          format_bytes(i.device_bytes).c_str(),
                          t("plan.used", {{"used", format_bytes(i.used_bytes)}}).c_str());
            text += line;
        }
        text += "\n" + t("plan.total", {{"used", format_bytes(plan.total_used_bytes())}});
        if (is_save(job.mode))
            text += "\n" + t("plan.free", {{"free", format_bytes(repo.free_bytes)}});
        for (const auto& w : plan.warnings) text += "\n" + t("plan.warning", {{"warning", w}});
        return text;
    }

    std::string targets_text() const {
        std::string names;
        for (const auto& d : job.devices) names += (names.empty() ? "" : ", ") + d;
        return names;
    }

    Screen screen() const {
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
                    ScreenItem i = item(p.name, p.name, partition_detail(p) + "  " + disk_detail(*d));
                    s.items.push_back(i);
                }
                if (d->partitions.empty() && repository_fs(d->fs_type))
                    s.items.push_back(item(d->name, d->name, format_bytes(d->size_bytes) + "  " + d->fs_type));
            }
            if (s.items.empty()) s.text += "\n\n" + t("local_partition.none");
            return s;
        }
        case Step::local_directory: return input_screen("local_directory.title", "local_directory.text", local_directory);
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
            for (const char* m : {"savedisk", "saveparts", "restoredisk", "restoreparts", "checkimage", "shell",
                                  "reboot", "poweroff"})
                s.items.push_back(item(m, m, t(std::string("mode.") + m)));
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
            if (s.items.empty()) s.text += "\n\n" + t("disks.none");
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
            return s;
        }
        case Step::restore_options: {
            Screen s = base(ScreenKind::menu, "options.title");
            s.text = t("options.text");
            s.items.push_back(item("check_first", t("option.check_first"), t(job.check_first ? "option.yes" : "option.no")));
            if (job.mode == JobMode::restoredisk)
                s.items.push_back(item("grow", t("option.grow"), t(job.grow ? "option.yes" : "option.no")));
            s.items.push_back(item("when_done", t("option.when_done"), t(when_done_key(job.when_done))));
            s.items.push_back(item("continue", t("option.continue")));
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
            return s;
        }
        case Step::restore_target: return restore_target_screen();
        case Step::running: return progress_screen(ProgressSnapshot{});
        case Step::result: return result_screen();
        case Step::shell:
        case Step::reboot:
        case Step::power_off: return base(ScreenKind::message, "mode.title");
        }
        return base(ScreenKind::message, "mode.title");
    }

    // For restoredisk, the disks; for restoreparts, every partition of every disk.
    Screen restore_target_screen() const {
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
                add(d.name, d.identity(), d.size_bytes, disk_detail(d), disk_refusal);
            } else {
                for (const auto& p : d.partitions) {
                    std::string refusal = disk_refusal;
                    if (!p.mount_points.empty()) refusal = t("reason.mounted", {{"where", p.mount_points.front()}});
                    add(p.name, p.path, p.size_bytes, partition_detail(p), refusal);
                }
            }
        }
        // Put the cursor on the first item that can be chosen.
        if (s.selected >= static_cast<int>(s.items.size()) || s.selected < 0 ||
            (!s.items.empty() && !s.items[static_cast<std::size_t>(s.selected)].enabled)) {
            s.selected = 0;
            for (std::size_t k = 0; k < s.items.size(); ++k)
                if (s.items[k].enabled) {
                    s.selected = static_cast<int>(k);
                    break;
                }
        }
        if (s.items.empty()) s.text += "\n\n" + t("disks.none");
        return s;
    }

    Screen progress_screen(const ProgressSnapshot& p) const {
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

    Screen result_screen() const {
        Screen s = base(ScreenKind::menu, result.ok ? "result.ok_title" : "result.failed_title");
        s.can_go_back = false;
        double rate = result.seconds > 0 ? static_cast<double>(result.bytes) / result.seconds : 0;
        std::string numbers = t("result.numbers", {{"bytes", format_bytes(result.bytes)},
                                                   {"elapsed", format_duration(result.seconds)},
                                                   {"rate", format_bytes(static_cast<std::uint64_t>(rate))}});
        if (result.ok) {
            s.text = t(std::string("result.ok_") + job_mode_name(job.mode), {{"image", job.image}}) + "\n" + numbers;
        } else {
            s.text = t("result.failed", {{"message", result.message}}) + "\n" + numbers;
        }
        s.text += "\n" + t("result.log", {{"log", result.log_path.empty() ? options.log_path : result.log_path}});
        s.text += "\n\n" + t("result.command") + "\n  " + equivalent_command(job);
        if (result.ok && is_save(job.mode)) s.text += "\n" + t("result.command_saved");
        s.items = {item("start_over", t("result.start_over")), item("reboot", t("mode.reboot")),
                   item("poweroff", t("mode.poweroff")), item("shell", t("mode.shell"))};
        return s;
    }

    // ----- answers -----

    void answer(const Answer& a) {
        if (a.kind == Answer::Kind::back) {
            if (step == Step::running || step == Step::result) return;
            back();
            return;
        }
        if (a.index >= 0) last_selected[step] = a.index;
        error.clear();
        switch (step) {
        case Step::language: {
            bool ja = a.index == 1;
            if (ja && !options.can_show_japanese) {
                language = Language::en;
                go(Step::japanese_unavailable);
                return;
            }
            language = ja ? Language::ja : Language::en;
            go(Step::keyboard);
            return;
        }
        case Step::japanese_unavailable: go(Step::keyboard); return;
        case Step::keyboard:
            if (a.index == 2) {
                go(Step::keyboard_other);
                return;
            }
            choose_keymap(a.index == 1 ? "jp106" : "us");
            return;
        case Step::keyboard_other:
            if (a.index < 0 || a.index >= static_cast<int>(kOtherKeymaps.size())) return;
            choose_keymap(kOtherKeymaps[static_cast<std::size_t>(a.index)].first);
            return;
        case Step::repo_kind: choose_repo_kind(a.index); return;
        case Step::local_partition: {
            Screen s = screen();
            if (a.index < 0 || a.index >= static_cast<int>(s.items.size())) return;
            std::string name = s.items[static_cast<std::size_t>(a.index)].key;
            for (const auto& d : disks) {
                if (d.name == name) repo_disk = d.name;
                for (const auto& p : d.partitions)
                    if (p.name == name) repo_disk = d.name;
            }
            open_repo("dev:" + name, Step::local_partition);
            return;
        }
        case Step::local_directory: {
            std::string problem = check_local_directory(a.text);
            local_directory = a.text;
            if (!problem.empty()) {
                error = t(problem);
                return;
            }
            repo_disk.clear();
            open_repo(a.text, Step::local_directory);
            return;
        }
        case Step::nic:
            if (a.index < 0 || a.index >= static_cast<int>(interfaces.size())) return;
            network.interface = interfaces[static_cast<std::size_t>(a.index)].name;
            go(Step::address_mode);
            return;
        case Step::address_mode:
            if (a.index == 0) {
                network.mode = AddressMode::dhcp;
                apply_network();
            } else if (a.index == 1) {
                network.mode = AddressMode::manual;
                go(Step::static_address);
            } else {
                network.mode = AddressMode::keep;
                apply_network();
            }
            return;
        case Step::static_address:
            network.address = a.text;
            if (auto problem = check_ipv4_with_prefix(a.text); !problem.empty()) {
                error = t(problem);
                return;
            }
            go(Step::static_gateway);
            return;
        case Step::static_gateway:
            network.gateway = a.text;
            if (auto problem = check_ipv4(a.text, true); !problem.empty()) {
                error = t(problem);
                return;
            }
            go(Step::static_dns);
            return;
        case Step::static_dns:
            network.dns = a.text;
            if (auto problem = check_ipv4(a.text, true); !problem.empty()) {
                error = t(problem);
                return;
            }
            apply_network();
            return;
        case Step::nfs_server:
        case Step::smb_server:
            server = a.text;
            if (auto problem = check_server(a.text); !problem.empty()) {
                error = t(problem);
                return;
            }
            go(step == Step::nfs_server ? Step::nfs_export : Step::smb_share);
            return;
        case Step::nfs_export:
            nfs_export = a.text;
            if (auto problem = check_remote_path(a.text); !problem.empty()) {
                error = t(problem);
                return;
            }
            go(Step::nfs_version);
            return;
        case Step::nfs_version:
            nfs_v4 = a.index == 1;
            open_repo(std::string(nfs_v4 ? "nfs4://" : "nfs://") + server + nfs_export, Step::nfs_server);
            return;
        case Step::smb_share:
            smb_share = a.text;
            if (auto problem = check_share_path(a.text); !problem.empty()) {
                error = t(problem);
                return;
            }
            go(Step::smb_user);
            return;
        case Step::smb_user:
            smb_user_text = a.text;
            if (auto problem = check_smb_user(a.text, smb_domain, smb_user); !problem.empty()) {
                error = t(problem);
                return;
            }
            go(Step::smb_password);
            return;
        case Step::smb_password:
            smb_password = a.text;
            go(Step::smb_version);
            return;
        case Step::smb_version: {
            smb_protocol = a.index == 1 ? "SMB3" : a.index == 2 ? "SMB2" : "";
            std::string url = "smb://" + (smb_domain.empty() ? "" : smb_domain + ";") + smb_user + "@" + server + "/" +
                              smb_share;
            if (!smb_protocol.empty()) url += "?protocol=" + smb_protocol;
            open_repo(url, Step::smb_server);
            return;
        }
        case Step::repo_found: go(Step::mode); return;
        case Step::mode: choose_mode(a.index); return;
        case Step::save_name: {
            job.image = a.text;
            if (auto problem = check_image_name(a.text); !problem.empty()) {
                error = t(problem);
                return;
            }
            for (const auto& e : repo.images)
                if (e.name == a.text) {
                    error = t("error.image_exists", {{"image", a.text}});
                    return;
                }
            refresh_disks();
            go(job.mode == JobMode::savedisk ? Step::save_disks : Step::save_parts);
            return;
        }
        case Step::save_disks:
        case Step::save_parts: choose_sources(a); return;
        case Step::save_options: cycle_save_option(a.index); return;
        case Step::restore_options: cycle_restore_option(a.index); return;
        case Step::save_plan: go(Step::save_confirm); return;
        case Step::restore_plan: go(Step::restore_confirm); return;
        case Step::save_confirm:
        case Step::restore_confirm_again:
            if (!a.yes) {
                back();
                return;
            }
            go(Step::running);
            return;
        case Step::restore_confirm:
            if (!a.yes) {
                back();
                return;
            }
            go(Step::restore_confirm_again);
            return;
        case Step::choose_image: choose_image(a.index); return;
        case Step::restore_target: choose_target(a.index); return;
        case Step::result:
            if (a.index == 1) {
                step = Step::reboot;
            } else if (a.index == 2) {
                step = Step::power_off;
            } else if (a.index == 3) {
                go(Step::shell);
            } else {
                start_over();
            }
            return;
        case Step::running:
        case Step::shell:
        case Step::reboot:
        case Step::power_off: return;
        }
    }

    void choose_keymap(const std::string& name) {
        keymap = name;
        if (services.load_keymap(name))
            log::info("keyboard layout " + name + " loaded");
        else
            log::info("keyboard layout " + name + " chosen (no console keymap to load here)");
        go(Step::repo_kind);
    }

    void choose_repo_kind(int index) {
        static const char* kinds[] = {"local_dev", "samba_server", "nfs_server", "mounted_dir"};
        if (index < 0 || index > 3) return;
        repo_kind = kinds[index];
        if (repo_kind == "local_dev") {
            refresh_disks();
            go(Step::local_partition);
        } else if (repo_kind == "mounted_dir") {
            go(Step::local_directory);
        } else {
            interfaces = services.network_interfaces();
            go(Step::nic);
        }
    }

    void apply_network() {
        try {
            services.configure_network(network);
        } catch (const std::exception& e) {
            error = t("error.network", {{"message", e.what()}});
            return;
        }
        go(repo_kind == "nfs_server" ? Step::nfs_server : Step::smb_server);
    }

    // Opens the repository; on failure goes back to `on_error` with what the engine said.
    void open_repo(const std::string& location, Step on_error) {
        try {
            repo = services.open_repository(location, repo_kind == "samba_server" ? smb_password : "");
        } catch (const std::exception& e) {
            std::string message = e.what();
            // A refused logon is corrected on the password screen; anything else (server,
            // share, export) from the first of the server questions.
            bool logon = repo_kind == "samba_server" &&
                         (message.find("password") != std::string::npos || message.find("logon") != std::string::npos ||
                          message.find("denied") != std::string::npos);
            if (logon)
                return_to(Step::smb_password, t("error.repository", {{"message", message}}));
            else
                return_to(on_error, t("error.repository", {{"message", message}}));
            return;
        }
        repo_location = location;
        job.repo = repo.location.empty() ? location : repo.location;
        go(Step::repo_found);
    }

    void refresh_disks() {
        try {
            disks = services.disks();
        } catch (const std::exception& e) {
            disks.clear();
            error = e.what();
        }
    }

    void choose_mode(int index) {
        static const char* modes[] = {"savedisk", "saveparts", "restoredisk", "restoreparts", "checkimage", "shell",
                                      "reboot", "poweroff"};
        if (index < 0 || index > 7) return;
        std::string m = modes[index];
        job.devices.clear();
        chosen_targets.clear();
        if (m == "shell") {
            go(Step::shell);
        } else if (m == "reboot") {
            step = Step::reboot;
        } else if (m == "poweroff") {
            step = Step::power_off;
        } else if (m == "savedisk" || m == "saveparts") {
            job.mode = m == "savedisk" ? JobMode::savedisk : JobMode::saveparts;
            std::string suffix = m == "savedisk" ? "-img" : "-parts";
            job.image = options.now_for_image_name + suffix;
            go(Step::save_name);
        } else {
            job.mode = m == "restoredisk" ? JobMode::restoredisk : m == "restoreparts" ? JobMode::restoreparts
                                                                                       : JobMode::checkimage;
            reread_repository();
            go(Step::choose_image);
        }
    }

    // The repository may have changed (a save just finished): read it again.
    void reread_repository() {
        try {
            repo = services.open_repository(repo_location, repo_kind == "samba_server" ? smb_password : "");
        } catch (const std::exception& e) {
            error = t("error.repository", {{"message", e.what()}});
        }
    }

    void choose_sources(const Answer& a) {
        Screen s = screen();
        std::vector<std::string> chosen;
        for (int index : a.checked) {
            if (index < 0 || index >= static_cast<int>(s.items.size())) continue;
            if (!s.items[static_cast<std::size_t>(index)].enabled) continue;
            const std::string& name = s.items[static_cast<std::size_t>(index)].key;
            for (const auto& d : disks) {
                if (step == Step::save_disks && d.name == name) chosen.push_back(d.identity());
                if (step == Step::save_parts)
                    for (const auto& p : d.partitions)
                        if (p.name == name) chosen.push_back(p.path);
            }
        }
        job.devices = chosen;
        if (chosen.empty()) {
            error = t(step == Step::save_disks ? "error.no_disk" : "error.no_partition");
            return;
        }
        go(Step::save_options);
    }

    void cycle_save_option(int index) {
        switch (index) {
        case 0: compression = (compression + 1) % std::size(kCompressionChoices); break;
        case 1: job.fsck_first = !job.fsck_first; break;
        case 2: job.verify = !job.verify; break;
        case 3: split = (split + 1) % std::size(kSplitChoicesMb); break;
        case 4: when_done = (when_done + 1) % std::size(kWhenDoneChoices); break;
        case 5: make_plan(Step::save_plan); return;
        default: return;
        }
        job.codec = kCompressionChoices[compression].codec;
        job.level = kCompressionChoices[compression].level;
        job.split_mb = kSplitChoicesMb[split];
        job.when_done = kWhenDoneChoices[when_done];
    }

    void cycle_restore_option(int index) {
        // restoreparts has no "grow" row: map its rows onto restoredisk's.
        if (job.mode != JobMode::restoredisk && index >= 1) ++index;
        switch (index) {
        case 0: job.check_first = !job.check_first; break;
        case 1: job.grow = !job.grow; break;
        case 2:
            when_done = (when_done + 1) % std::size(kWhenDoneChoices);
            job.when_done = kWhenDoneChoices[when_done];
            break;
        case 3: make_plan(Step::restore_plan); return;
        default: return;
        }
    }

    void make_plan(Step plan_step) {
        try {
            plan = services.plan(job);
        } catch (const std::exception& e) {
            error = t("error.plan", {{"message", e.what()}});
            return;
        }
        go(plan_step);
    }

    void choose_image(int index) {
        Screen s = screen();
        if (index < 0 || index >= static_cast<int>(s.items.size())) return;
        const ScreenItem& chosen = s.items[static_cast<std::size_t>(index)];
        if (!chosen.enabled) {
            error = chosen.reason;
            return;
        }
        job.image = chosen.key;
        if (job.mode == JobMode::checkimage) {
            go(Step::running);
            return;
        }
        try {
            needs = services.image_needs(job.image, job.mode);
        } catch (const std::exception& e) {
            error = t("error.image", {{"message", e.what()}});
            return;
        }
        if (needs.empty()) {
            error = t("error.image", {{"message", job.image}});
            return;
        }
        refresh_disks();
        chosen_targets.assign(needs.size(), "");
        go(Step::restore_target, 0);
    }

    void choose_target(int index) {
        Screen s = screen();
        if (index < 0 || index >= static_cast<int>(s.items.size())) return;
        const ScreenItem& chosen = s.items[static_cast<std::size_t>(index)];
        if (!chosen.enabled) {
            error = t("error.target", {{"name", chosen.key}, {"reason", chosen.reason}});
            return;
        }
        std::string target;
        for (const auto& d : disks) {
            if (job.mode == JobMode::restoredisk && d.name == chosen.key) target = d.identity();
            if (job.mode == JobMode::restoreparts)
                for (const auto& p : d.partitions)
                    if (p.name == chosen.key) target = p.path;
        }
        chosen_targets[static_cast<std::size_t>(target_index)] = target;
        if (target_index + 1 < static_cast<int>(needs.size())) {
            go(Step::restore_target, target_index + 1);
            return;
        }
        job.devices = chosen_targets;
        go(Step::restore_options);
    }

    void job_finished(const JobResult& r) {
        result = r;
        log::info(std::string(job_mode_name(job.mode)) + " " + job.image + (r.ok ? " finished" : " failed: " + r.message));
        // Back from the result screen must not lead into the finished job's questions.
        forget_history_to(Step::mode);
        step = Step::result;
        last_selected.erase(Step::result);
        if (r.ok && job.when_done == WhenDone::reboot) step = Step::reboot;
        if (r.ok && job.when_done == WhenDone::power_off) step = Step::power_off;
    }

    void start_over() {
        forget_history_to(Step::mode);
        if (!history.empty() && history.back().first == Step::mode) {
            history.pop_back();
            step = Step::mode;
        } else {
            step = Step::mode;
        }
        job.devices.clear();
        reread_repository();
    }
};

Flow::Flow(MenuServices& services, FlowOptions options) : impl_(std::make_unique<Impl>(services, std::move(options))) {}
Flow::~Flow() = default;

FlowAction Flow::action() const {
    switch (impl_->step) {
    case Step::running: return FlowAction::run_job;
    case Step::shell: return FlowAction::shell;
    case Step::reboot: return FlowAction::reboot;
    case Step::power_off: return FlowAction::power_off;
    default: return FlowAction::show;
    }
}

Screen Flow::screen() const { return impl_->screen(); }
void Flow::answer(const Answer& answer) { impl_->answer(answer); }
Language Flow::language() const { return impl_->language; }
const Job& Flow::job() const { return impl_->job; }
Screen Flow::progress_screen(const ProgressSnapshot& snapshot) const { return impl_->progress_screen(snapshot); }
void Flow::job_finished(const JobResult& result) { impl_->job_finished(result); }
void Flow::shell_done() { impl_->back(); }
std::string Flow::step_name() const { return kStepNames.at(impl_->step); }

}  // namespace kura::tui
