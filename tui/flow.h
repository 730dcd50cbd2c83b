// The operator's whole journey as a state machine with no terminal in it: language,
// keyboard, where images live (and the network to reach them), mode, the choices of the
// mode, the plan, y/n, the running job and its result. screen() says what to show;
// answer() takes what the operator did, checks it and moves on (or stays, with an error
// on the screen); Answer::back_answer() returns to the previous step. Each step is a row of
// the step table (flow_step.h). The engine is reached only through MenuServices, so the
// same flow runs in the terminal and in unit tests.
#pragma once

#include "tui/catalog.h"
#include "tui/job.h"
#include "tui/menu_services.h"
#include "tui/screen.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kura::tui {

struct FlowState;

struct FlowOptions {
    std::optional<Language> language;   // preset (kura.lang=, --lang): the language step is skipped
    std::optional<std::string> keymap;  // preset (kura.keymap=, --keymap): the keyboard step is skipped
    // preset (kura.repo=, --repo): a `kura --repo` location (or nfs4://) opened as soon as
    // the keyboard is answered; repo_kind, reached by Back, shows it taken apart
    std::optional<std::string> repository;
    std::vector<std::string> only_devices;  // --devices: discovery confined to these
    std::string log_path;               // shown on the result screen
    // The terminal cannot show Japanese (a bare Linux VGA console): choosing it explains
    // that and continues in English.
    bool can_show_japanese = true;
    std::string default_local_directory = "/home/partimag";
    std::string now_for_image_name;     // "YYYY-MM-DD-HH" for the default image name; tests fix it
};

// What the front should do after the flow's current step (see Flow::action()).
enum class FlowAction {
    show,       // draw screen() and pass the answer to answer()
    run_job,    // draw the progress screen, call services.run(job()) on a worker, then job_finished()
    shell,      // leave the terminal to a shell, then call shell_done()
    reboot,     // the operator chose reboot or power off (or a job's "when done" did)
    power_off,
};

class Flow {
public:
    Flow(MenuServices& services, FlowOptions options);
    ~Flow();
    Flow(const Flow&) = delete;
    Flow& operator=(const Flow&) = delete;

    // What to do now; for FlowAction::show, screen() says what to draw.
    FlowAction action() const;
    Screen screen() const;
    void answer(const Answer& answer);

    Language language() const;
    // The job as chosen so far (complete once action() is run_job).
    const Job& job() const;
    // The running job's screen, from the engine's latest numbers.
    Screen progress_screen(const ProgressSnapshot& snapshot) const;
    void job_finished(const JobResult& result);
    void shell_done();

    std::string step_name() const;  // the current step's id, as in Screen::step

private:
    std::unique_ptr<FlowState> state_;
};

}  // namespace kura::tui
