// One step of kura-menu's journey as a row of the step table: its name, what it shows and
// what an answer to it does. The handlers live with the other steps of their concept (the
// flow_*_steps.cpp files below), each file ending with its rows; flow_step_table.cpp puts
// the groups together and checks that every Step has exactly one row. Adding a step is its
// Step value (flow_steps.h), its handlers and its row.
#pragma once

#include "tui/flow.h"
#include "tui/flow_steps.h"

#include <span>

namespace kura::tui {

struct StepRow {
    flow_steps::Step step;
    // Screen::step and Flow::step_name(): the front, the tests and the logs know steps by it.
    const char* name;
    Screen (*screen)(const FlowState& flow);
    // Any answer but Back (the step's cursor is remembered and the error cleared first).
    void (*answer)(FlowState& flow, const Answer& a);
    // Back from this step; null: to the previous step.
    void (*back)(FlowState& flow) = nullptr;
    FlowAction action = FlowAction::show;  // what the front does on this step
    // Entering it reads the disks again, so a disk plugged in or partitioned meanwhile shows up.
    bool reads_disks = false;
    // ... and the LVM volume groups on them, whose LVs it lists under their disks (reading
    // each LV's used blocks takes a moment: only the save lists show them).
    bool reads_volumes = false;
};

const StepRow& step_row(flow_steps::Step step);

// The groups of steps, each with its handlers in its own file.
std::span<const StepRow> start_steps();       // flow_start_steps.cpp: language and keyboard
std::span<const StepRow> repository_steps();  // flow_repository_steps.cpp: where images live
std::span<const StepRow> network_steps();     // flow_network_steps.cpp: the NIC and its address
std::span<const StepRow> server_steps();      // flow_server_steps.cpp: the NFS and SMB questions
std::span<const StepRow> save_steps();        // flow_save_steps.cpp: image name, sources, options
std::span<const StepRow> restore_steps();     // flow_restore_steps.cpp: image, targets, options
std::span<const StepRow> confirm_steps();     // flow_confirm_steps.cpp: plans and y/n questions
std::span<const StepRow> job_steps();         // flow_job_steps.cpp: the mode menu, the job, what follows

// For steps an answer does not move (the front leaves them by itself) and steps Back
// does not leave (a job running or just finished).
void ignore_answer(FlowState& flow, const Answer& a);
void stay(FlowState& flow);

}  // namespace kura::tui
