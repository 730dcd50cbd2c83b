// The flow model's state: the step the operator is on, the way back, every answer so far,
// and what more than one step does with them. Private to tui/flow*.cpp: what each step
// shows and what an answer to it does are its handlers (flow_step.h).
#pragma once

#include "tui/flow.h"
#include "tui/flow_steps.h"
#include "tui/repository_preset.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kura::tui {

// A refused logon is corrected on the password screen; anything else (server, share,
// export) from the first of the server questions.
inline bool logon_refused(const std::string& message) {
    return message.find("password") != std::string::npos || message.find("logon") != std::string::npos ||
           message.find("denied") != std::string::npos;
}

struct FlowState {
    using Step = flow_steps::Step;

    MenuServices& services;
    FlowOptions options;
    Language language = Language::en;
    Job job;

    Step step = Step::language;
    bool changing_language = false;  // language reached from the mode menu: back there when chosen
    // The image last saved or restored without a verification: powering off is asked first
    // (the operator may want that proof before leaving the machine).
    std::string unverified_image;
    int target_index = 0;  // restore_target: which disk (or partition) of the image
    std::vector<std::pair<Step, int>> history;
    std::string error;                  // shown on the current screen once
    std::map<Step, int> last_selected;  // where the cursor was when the operator left a step

    // Answers kept so that going back shows them again.
    std::string keymap = "us";
    std::string repo_kind;
    std::string local_directory;
    NetworkSettings network;
    std::string server;
    std::string nfs_export = "/home/partimag";
    bool nfs_v4 = false;
    std::string smb_share = "images";
    std::string smb_user_text;
    std::string smb_domain, smb_user;
    std::string smb_password;
    std::string smb_protocol;  // "", "SMB3", "SMB2"
    std::string repo_location;  // what was opened (reread after a job)
    RepositoryStatus repo;
    std::string repo_disk;      // the disk holding a dev: repository (never a save source or target)
    std::string nfs_options;    // an nfs:// preset's ?options (uid=N&gid=N): no step asks for them

    // The repository given in advance (FlowOptions::repository), taken apart. It is opened
    // once, when the operator first reaches repo_kind; `preset_pending` while it waits for
    // the network steps or the SMB password on the way.
    RepositoryPreset preset;
    bool preset_tried = false;
    bool preset_pending = false;
    std::string local_partition_name;  // a dev: preset's partition: the local_partition cursor starts there

    std::vector<DiskInfo> disks;
    // Read with the disks on the save lists. Moved, never copied: each listed LV points
    // into its own group's metadata.
    std::vector<ListedVolumeGroup> volume_groups;
    std::vector<ListedMdArray> md_arrays;  // read with the volume groups
    std::vector<NetworkInterface> interfaces;
    std::vector<ImageNeed> needs;
    std::vector<std::string> chosen_targets;  // per image disk or partition, as the job names it
    Plan plan;
    JobResult result;
    std::size_t compression = 0;
    std::size_t split = 0;
    std::size_t when_done = 0;

    FlowState(MenuServices& s, FlowOptions o);

    std::string t(std::string_view key) const { return tr(language, key); }
    std::string t(std::string_view key, std::initializer_list<std::pair<std::string_view, std::string>> args) const {
        return tr(language, key, args);
    }

    // ----- moving between steps -----

    void go(Step next, int index = 0);
    void back();
    // A step was entered (forward or back): lists of disks and partitions are read again
    // there, so a disk plugged in or partitioned meanwhile shows up.
    void entered();
    // Back to an earlier step (dropping what came after it), with an error to show there.
    void return_to(Step earlier, const std::string& message);
    // Forgets the steps back to (and including) `stop`, so that Back from the next
    // screen does not walk through a finished job or a chosen repository again.
    void forget_history_to(Step stop);

    // ----- the current step's handlers (its row in the step table) -----

    Screen screen() const;
    void answer(const Answer& a);

    // ----- pieces of screens more than one step shows (flow_screens.cpp) -----

    Screen base(ScreenKind kind, const std::string& title_key) const;
    static ScreenItem item(std::string key, std::string label, std::string detail = {});
    // An item shown but not offered, with why.
    static void refuse(ScreenItem& i, const std::string& reason);
    Screen input_screen(const std::string& title_key, const std::string& text_key, const std::string& value,
                        ScreenKind kind = ScreenKind::input) const;
    std::string disk_detail(const DiskInfo& d) const;
    std::string partition_detail(const PartitionInfo& p) const;
    // The notes under a disk or partition row: the LVs of each volume group whose first PV
    // is one of `pv_names` (a disk, or its partitions), and a line for its other PVs.
    // The md arrays whose first member is one of them follow (flow_md_notes.cpp).
    std::vector<ScreenItem> volume_notes(const std::vector<std::string>& pv_names) const;
    std::vector<ScreenItem> md_notes(const std::vector<std::string>& member_names) const;
    // A line under a row that is shown but never chosen.
    static ScreenItem note_item(const std::string& key, const std::string& line);
    // The running job's screen (the running step shows it before the first numbers).
    Screen progress_screen(const ProgressSnapshot& p) const;

    // ----- what more than one step does (flow.cpp) -----

    // Opens the repository; on failure goes back to `on_error` with what the engine said.
    void open_repo(const std::string& location, Step on_error);
    // What both openings (chosen, preset) do once the repository answered.
    void repository_opened(const std::string& location);
    // The repository may have changed (a save just finished): read it again.
    void reread_repository();
    void refresh_disks();
    void refresh_volume_groups();
    // The engine's dry run of the job as chosen; on success on to `plan_step`.
    void make_plan(Step plan_step);
    void job_finished(const JobResult& r);

    // ----- a preset repository (flow_preset.cpp) -----

    // repo_kind has been reached (keyboard answered or preset): the preset's turn, once.
    void reached_repo_kind();
    void apply_preset();
    void open_preset();
};

}  // namespace kura::tui
