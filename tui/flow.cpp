// The flow model's engine room: moving between steps, handing the current step's screen
// and answer to its row in the step table, and what more than one step does (opening the
// repository, reading disks, planning, a job's end).
#include "tui/flow.h"

#include "core/log.h"
#include "tui/engine_messages.h"
#include "tui/flow_state.h"
#include "tui/flow_step.h"

#include <algorithm>

namespace kura::tui {

using namespace flow_steps;

FlowState::FlowState(MenuServices& s, FlowOptions o) : services(s), options(std::move(o)) {
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

void FlowState::go(Step next, int index) {
    history.push_back({step, target_index});
    step = next;
    target_index = index;
    error.clear();
    entered();
}

void FlowState::back() {
    if (history.empty()) return;
    auto [previous, index] = history.back();
    history.pop_back();
    step = previous;
    target_index = index;
    error.clear();
    entered();
}

void FlowState::entered() {
    if (step_row(step).reads_disks) refresh_disks();
    if (step_row(step).reads_volumes) refresh_volume_groups();
}

void FlowState::return_to(Step earlier, const std::string& message) {
    while (!history.empty() && step != earlier) back();
    if (step != earlier) step = earlier;
    error = message;
}

void FlowState::forget_history_to(Step stop) {
    auto it = std::find_if(history.begin(), history.end(), [&](const auto& h) { return h.first == stop; });
    if (it != history.end()) history.erase(it + 1, history.end());
}


// ----- the current step's handlers -----

Screen FlowState::screen() const { return step_row(step).screen(*this); }

void FlowState::answer(const Answer& a) {
    const StepRow& row = step_row(step);
    if (a.kind == Answer::Kind::back) {
        if (row.back) row.back(*this);
        else back();
        return;
    }
    if (a.index >= 0) last_selected[step] = a.index;
    error.clear();
    row.answer(*this, a);
}


// ----- what more than one step does -----

void FlowState::open_repo(const std::string& location, Step on_error) {
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

void FlowState::repository_opened(const std::string& location) {
    repo_location = location;
    job.repo = repo.location.empty() ? location : repo.location;
    go(Step::repo_found);
}

void FlowState::reread_repository() {
    try {
        repo = services.open_repository(repo_location, repo_kind == "samba_server" ? smb_password : "");
    } catch (const std::exception& e) {
        error = t("error.repository", {{"message", engine_text(language, e)}});
    }
}

void FlowState::refresh_disks() {
    try {
        disks = services.disks();
    } catch (const std::exception& e) {
        disks.clear();
        error = engine_text(language, e);
    }
}

void FlowState::refresh_volume_groups() {
    bool damaged_pv = false;
    try {
        volume_groups = services.volume_groups(disks);
    } catch (const std::exception& e) {
        // A damaged PV: the disks are still listed (saving one is refused with the same words).
        volume_groups.clear();
        error = engine_text(language, e);
        damaged_pv = true;
    }
    try {
        md_arrays = services.md_arrays(disks);
    } catch (const std::exception& e) {
        // A damaged md superblock: the same, unless a damaged PV already said why.
        md_arrays.clear();
        if (!damaged_pv) error = engine_text(language, e);
    }
}

void FlowState::make_plan(Step plan_step) {
    try {
        plan = services.plan(job);
    } catch (const std::exception& e) {
        error = t("error.plan", {{"message", engine_text(language, e)}});
        return;
    }
    go(plan_step);
}

void FlowState::job_finished(const JobResult& r) {
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


// ----- Flow -----

Flow::Flow(MenuServices& services, FlowOptions options)
    : state_(std::make_unique<FlowState>(services, std::move(options))) {}
Flow::~Flow() = default;

FlowAction Flow::action() const { return step_row(state_->step).action; }
Screen Flow::screen() const { return state_->screen(); }
void Flow::answer(const Answer& answer) { state_->answer(answer); }
Language Flow::language() const { return state_->language; }
const Job& Flow::job() const { return state_->job; }
Screen Flow::progress_screen(const ProgressSnapshot& snapshot) const { return state_->progress_screen(snapshot); }
void Flow::job_finished(const JobResult& result) { state_->job_finished(result); }
void Flow::shell_done() { state_->back(); }
std::string Flow::step_name() const { return step_row(state_->step).name; }

}  // namespace kura::tui
