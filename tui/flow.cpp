// What the operator's answers do: each step checks its answer, asks the machine through
// MenuServices where it must, and moves on, stays with an error, or goes back.
#include "tui/flow.h"

#include "core/error.h"
#include "core/log.h"
#include "tui/engine_messages.h"
#include "tui/flow_impl.h"
#include "tui/validation.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace kura::tui {

using namespace flow_steps;

Flow::Impl::Impl(MenuServices& s, FlowOptions o) : services(s), options(std::move(o)) {
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
        reached_repo_kind();
    }
}


// ----- moving between steps -----

void Flow::Impl::go(Step next, int index) {
    history.push_back({step, target_index});
    step = next;
    target_index = index;
    error.clear();
    entered();
}

void Flow::Impl::back() {
    if (history.empty()) return;
    auto [previous, index] = history.back();
    history.pop_back();
    step = previous;
    target_index = index;
    error.clear();
    entered();
}

void Flow::Impl::entered() {
    if (step == Step::local_partition || step == Step::save_disks || step == Step::save_parts ||
        step == Step::restore_target)
        refresh_disks();
}

void Flow::Impl::power_off_chosen() {
    if (unverified_image.empty()) {
        step = Step::power_off;
        return;
    }
    go(Step::power_off_confirm);
}

void Flow::Impl::return_to(Step earlier, const std::string& message) {
    while (!history.empty() && step != earlier) back();
    if (step != earlier) step = earlier;
    error = message;
}

void Flow::Impl::forget_history_to(Step stop) {
    auto it = std::find_if(history.begin(), history.end(), [&](const auto& h) { return h.first == stop; });
    if (it != history.end()) history.erase(it + 1, history.end());
}


// ----- answers -----

void Flow::Impl::answer(const Answer& a) {
    if (a.kind == Answer::Kind::back) {
        if (step == Step::running || step == Step::result) return;
        if (step == Step::language) changing_language = false;
        back();
        return;
    }
    if (a.index >= 0) last_selected[step] = a.index;
    error.clear();
    switch (step) {
    case Step::language: {
        bool ja = a.index == 1;
        if (changing_language) {
            // From the mode menu: everything else stays as it was answered.
            changing_language = false;
            language = ja && options.can_show_japanese ? Language::ja : Language::en;
            back();
            if (ja && !options.can_show_japanese) error = t("japanese_unavailable.text");
            return;
        }
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
        open_repo(std::string(nfs_v4 ? "nfs4://" : "nfs://") + server + nfs_export +
                      (nfs_v4 || nfs_options.empty() ? "" : "?" + nfs_options),
                  Step::nfs_server);
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
        // A preset says the protocol already: the password was all that was missing.
        if (preset_pending) {
            open_preset();
            return;
        }
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
    case Step::power_off_confirm:
        if (a.yes) step = Step::power_off;
        else back();
        return;
    case Step::result:
        if (a.index == 1) {
            step = Step::reboot;
        } else if (a.index == 2) {
            power_off_chosen();
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


void Flow::Impl::choose_keymap(const std::string& name) {
    keymap = name;
    if (services.load_keymap(name))
        log::info("keyboard layout " + name + " loaded");
    else
        log::info("keyboard layout " + name + " chosen (no console keymap to load here)");
    go(Step::repo_kind);
    reached_repo_kind();
}


void Flow::Impl::choose_repo_kind(int index) {
    if (index < 0 || index >= static_cast<int>(std::size(kRepoKinds))) return;
    repo_kind = kRepoKinds[index];
    preset_pending = false;  // the operator chose for themselves
    if (repo_kind == "local_dev") {
        go(Step::local_partition);
    } else if (repo_kind == "mounted_dir") {
        go(Step::local_directory);
    } else {
        interfaces = services.network_interfaces();
        go(Step::nic);
    }
}


void Flow::Impl::apply_network() {
    try {
        services.configure_network(network);
    } catch (const std::exception& e) {
        error = t("error.network", {{"message", engine_text(language, e)}});
        return;
    }
    if (preset_pending) {
        if (repo_kind == "samba_server") go(Step::smb_password);
        else open_preset();
        return;
    }
    go(repo_kind == "nfs_server" ? Step::nfs_server : Step::smb_server);
}


// Opens the repository; on failure goes back to `on_error` with what the engine said.
void Flow::Impl::open_repo(const std::string& location, Step on_error) {
    try {
        repo = services.open_repository(location, repo_kind == "samba_server" ? smb_password : "");
    } catch (const std::exception& e) {
        std::string message = engine_text(language, e);
        if (repo_kind == "samba_server" && logon_refused(e.what()))
            return_to(Step::smb_password, t("error.repository", {{"message", message}}));
        else
            return_to(on_error, t("error.repository", {{"message", message}}));
        return;
    }
    repository_opened(location);
}


void Flow::Impl::repository_opened(const std::string& location) {
    repo_location = location;
    job.repo = repo.location.empty() ? location : repo.location;
    go(Step::repo_found);
}


void Flow::Impl::refresh_disks() {
    try {
        disks = services.disks();
    } catch (const std::exception& e) {
        disks.clear();
        error = engine_text(language, e);
    }
}


void Flow::Impl::choose_mode(int index) {
    if (index < 0 || index >= static_cast<int>(std::size(kModes))) return;
    std::string m = kModes[index];
    job.devices.clear();
    chosen_targets.clear();
    if (m == "shell") {
        go(Step::shell);
    } else if (m == "reboot") {
        step = Step::reboot;
    } else if (m == "poweroff") {
        power_off_chosen();
    } else if (m == "language") {
        changing_language = true;
        go(Step::language);
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
void Flow::Impl::reread_repository() {
    try {
        repo = services.open_repository(repo_location, repo_kind == "samba_server" ? smb_password : "");
    } catch (const std::exception& e) {
        error = t("error.repository", {{"message", engine_text(language, e)}});
    }
}


void Flow::Impl::choose_sources(const Answer& a) {
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


void Flow::Impl::cycle_save_option(int index) {
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


void Flow::Impl::cycle_restore_option(int index) {
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


void Flow::Impl::make_plan(Step plan_step) {
    try {
        plan = services.plan(job);
    } catch (const std::exception& e) {
        error = t("error.plan", {{"message", engine_text(language, e)}});
        return;
    }
    go(plan_step);
}


void Flow::Impl::choose_image(int index) {
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
        error = t("error.image", {{"message", engine_text(language, e)}});
        return;
    }
    if (needs.empty()) {
        error = t("error.image", {{"message", job.image}});
        return;
    }
    chosen_targets.assign(needs.size(), "");
    go(Step::restore_target, 0);
}


void Flow::Impl::choose_target(int index) {
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


void Flow::Impl::job_finished(const JobResult& r) {
    result = r;
    log::info(std::string(job_mode_name(job.mode)) + " " + job.image + (r.ok ? " finished" : " failed: " + r.message.text));
    // Back from the result screen must not lead into the finished job's questions.
    forget_history_to(Step::mode);
    step = Step::result;
    last_selected.erase(Step::result);
    if (r.ok) {
        bool verified = job.mode == JobMode::checkimage || (is_save(job.mode) ? job.verify : job.check_first);
        if (!verified && !is_save(job.mode))
            for (const auto& e : repo.images)
                if (e.name == job.image && e.verified) verified = true;
        if (verified && unverified_image == job.image) unverified_image.clear();
        if (!verified) unverified_image = job.image;
    }
    if (r.ok && job.when_done == WhenDone::reboot) step = Step::reboot;
    if (r.ok && job.when_done == WhenDone::power_off) step = Step::power_off;
}


void Flow::Impl::start_over() {
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

