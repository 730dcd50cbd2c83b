#include "tui/engine_services.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/device.h"
#include "ops/check_image.h"
#include "ops/opened_image.h"
#include "ops/restore_image.h"
#include "ops/save_image.h"
#include "ops/target_needs.h"
#include "ptable/partition_table.h"
#include "repo/open_repository.h"
#include "repo/nfs4_repository.h"
#include "storage/repository.h"
#include "tui/network_setup.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>

#include <fcntl.h>
#include <linux/kd.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <unistd.h>


namespace kura::tui {
namespace {

// Present only on the kura live system (the ISO's build writes it).
constexpr const char* kLiveMarker = "/etc/kura-live";
constexpr const char* kKeymapDir = "/usr/share/kura/keymaps";

bool on_live_system() { return ::access(kLiveMarker, F_OK) == 0; }

bool network_setup_allowed() {
    const char* allow = std::getenv("KURA_ALLOW_NETWORK_SETUP");
    return on_live_system() || (allow && std::string(allow) == "1");
}

// The repository the menu holds open when `location` is where it is, else one opened for
// this call into `own` (with what opening the held one took).
Repository& held_or_opened(const std::unique_ptr<Repository>& held, const std::string& held_location,
                           const std::string& location, const RepositoryOptions& options,
                           std::unique_ptr<Repository>& own) {
    if (held && location == held_location) return *held;
    own = kura::open_repository(location, options);
    return *own;
}

bool valid_keymap_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    return name.front() != '.';
}

// A Linux virtual terminal answers KDGKBTYPE; a pseudo-terminal (ssh, tmux) does not.
bool stdin_is_linux_vt() {
    char type = 0;
    return ::isatty(STDIN_FILENO) && ::ioctl(STDIN_FILENO, KDGKBTYPE, &type) == 0;
}

bool restart_machine(int how, const char* what) {
    if (!on_live_system()) {
        log::info("kura-menu: not on the kura live system (no " + std::string(kLiveMarker) + "): no " + what);
        return false;
    }
    log::info(std::string("kura-menu: ") + what);
    ::sync();
    ::reboot(how);  // returns only on failure
    log::warn(errno_text(std::string("kura-menu: ") + what + " failed", errno));
    return false;
}

}  // namespace

EngineServices::EngineServices(EngineServicesOptions options) : options_(std::move(options)) {}

EngineServices::~EngineServices() {
    opened_.reset();  // before the repository it was read from
    repo_.reset();
}

SaveRequest EngineServices::save_job_request(const Job& job) const {
    SaveRequest request = job.mode == JobMode::savedisk ? save_disk_request(job) : save_parts_request(job);
    request.settings.checkpoint_bytes = options_.checkpoint_bytes;
    request.settings.live_log_dir = options_.live_log_dir;
    return request;
}

std::vector<ListedVolumeGroup> EngineServices::volume_groups(const std::vector<DiskInfo>& disks) {
    return list_volume_groups(disks);
}

std::vector<ListedMdArray> EngineServices::md_arrays(const std::vector<DiskInfo>& disks) {
    return list_md_arrays(disks);
}

std::vector<DiskInfo> EngineServices::disks() {
    DiscoveryOptions discovery;
    discovery.only = options_.only_devices;
    std::vector<DiskInfo> disks = discover_disks(discovery);
    // What is on each disk now, so a restore target is chosen knowing whether it holds data.
    for (DiskInfo& d : disks) {
        if (!d.fs_type.empty()) continue;  // a filesystem on the whole disk: no table to read
        try {
            std::vector<std::string> ignored;
            Device device = Device::open(d.path, Access::read_only, Role::target);
            TableKind kind = read_partition_table(device, d.logical_sector, ignored).kind;
            if (kind != TableKind::none) d.partition_table = table_kind_name(kind);
        } catch (const std::exception& e) {
            // Damaged or unreadable: the partitions the kernel lists still show what is there.
            log::info("kura-menu: no partition table read on " + d.path + ": " + e.what());
        }
    }
    return disks;
}

std::vector<NetworkInterface> EngineServices::network_interfaces() { return list_network_interfaces(); }

void EngineServices::configure_network(const NetworkSettings& settings) {
    if (settings.mode == AddressMode::keep) return;
    if (!network_setup_allowed())
        throw Error(ExitCode::usage, "kura-menu is not running on the kura live system, so it leaves this machine's "
                                     "network alone; choose \"keep the current settings\"");
    apply_network_settings(settings);
}

bool EngineServices::load_keymap(const std::string& keymap) {
    if (!on_live_system()) {
        log::info("kura-menu: not on the kura live system: the console keymap is left as it is");
        return false;
    }
    if (!valid_keymap_name(keymap)) {
        log::warn("kura-menu: '" + keymap + "' is not a keymap name");
        return false;
    }
    const std::string file = std::string(kKeymapDir) + "/" + keymap + ".bmap";
    if (::access(file.c_str(), R_OK) != 0) {
        log::warn("kura-menu: no keymap " + file + "; the console keymap is left as it is");
        return false;
    }
    if (!stdin_is_linux_vt()) {
        log::info("kura-menu: not on a Linux console (ssh, a terminal emulator): keymap " + keymap + " not loaded");
        return false;
    }
    ToolResult loaded = run_tool({"loadkmap"}, ExitCode::io_error, file);
    if (loaded.exit_status != 0) {
        log::warn("kura-menu: loadkmap < " + file + " failed (exit " + std::to_string(loaded.exit_status) + "): " +
                  loaded.output);
        return false;
    }
    log::info("kura-menu: console keymap " + keymap + " loaded");
    return true;
}

RepositoryStatus EngineServices::open_repository(const std::string& location, const std::string& smb_password) {
    opened_.reset();
    repo_.reset();  // an NFSv4 repository's mount goes with it, before the next one is made
    RepositoryOptions options;
    options.smb_credentials_file = options_.smb_credentials_file;
    // The menu's masked line first, then KURA_SMB_PASSWORD. No ask callback: the menu asked
    // before opening, and nothing may be asked over its screen.
    options.smb_password = smb_password.empty() ? options_.environment_smb_password : smb_password;
    if (location.rfind("smb://", 0) == 0 && options.smb_password.empty() && options.smb_credentials_file.empty())
        throw Error(ExitCode::usage,
                    "no SMB password for " + location.substr(0, location.find('?')) + ": type the password");
    // Never logged with the password: the location holds none (smb:// refuses one).
    log::info("kura-menu: opening the repository " + location.substr(0, location.find('?')));
    repo_ = kura::open_repository(location, options);
    repo_options_ = std::move(options);
    // Jobs name the directory an NFSv4 export is mounted on, which they open as it is.
    auto* nfs4 = dynamic_cast<Nfs4Repository*>(repo_.get());
    repo_location_ = nfs4 ? nfs4->mount_point() : location;
    RepositoryStatus status;
    status.describe = repo_->describe();
    status.location = repo_location_;
    status.free_bytes = repo_->free_bytes();
    status.images = list_images(*repo_);
    return status;
}

std::vector<ImageNeed> EngineServices::image_needs(const std::string& image, JobMode mode) {
    if (!repo_) throw Error(ExitCode::usage, "no repository is open");
    std::vector<TargetNeed> needs;
    // One opening of the image serves whichever needs the mode asks for.
    // Kept for the plan that follows; the job itself opens the image again, as it may have
    // changed while the operator read the plan.
    opened_.reset();
    opened_ = OpenedImage::open(*repo_, image);
    if (mode == JobMode::restoredisk) needs = disk_target_needs(*opened_);
    else if (mode == JobMode::restoreparts) needs = partition_target_needs(*opened_);
    std::vector<ImageNeed> result;
    for (const auto& n : needs)
        result.push_back({n.name, n.fs_type, n.min_bytes, n.source_bytes, n.source, n.source_identity});
    return result;
}

Plan EngineServices::plan(const Job& job) {
    std::unique_ptr<Repository> own_repo;
    Repository& repo = held_or_opened(repo_, repo_location_, job.repo, repo_options_, own_repo);
    JobContext context;  // a dry run's: nothing to show, nothing to ask
    context.progress_style = ProgressStyle::none;
    switch (job.mode) {
        case JobMode::savedisk:
        case JobMode::saveparts: {
            SaveRequest request = save_job_request(job);
            request.dry_run = true;
            return save_image(request, repo, context, [](const Plan&) {}).plan;
        }
        // A dry run shows the confirmation the plan and writes nothing, whatever it answers.
        case JobMode::restoredisk:
        case JobMode::restoreparts: {
            RestoreRequest request =
                job.mode == JobMode::restoredisk ? restore_disk_request(job) : restore_parts_request(job);
            request.dry_run = true;
            auto no = [](const Plan&) { return false; };
            // The image image_needs() opened for this plan, when it is the same one.
            if (opened_ && &repo == repo_.get() && opened_->name() == job.image)
                return restore_image(request, repo, *opened_, context, no).plan;
            return restore_image(request, repo, OpenedImage::open(repo, job.image), context, no).plan;
        }
        case JobMode::checkimage: return check_image_plan(repo, OpenedImage::open(repo, job.image));
    }
    throw Error(ExitCode::internal, "unknown job mode");
}

JobResult EngineServices::run(const Job& job, const std::function<void(const ProgressSnapshot&)>& progress) {
    JobResult result;
    result.log_path = options_.log_path;
    auto started = std::chrono::steady_clock::now();
    log::info("kura-menu runs: " + equivalent_command(job));
    // The menu asked twice already; the plan goes to the log as the CLI prints it.
    auto log_plan = [](const Plan& plan) { log::info(plan.describe()); };
    auto confirmed = [&](const Plan& plan) {
        log_plan(plan);
        return true;
    };
    // This job's own: its snapshots go to the menu's progress screen, and no other job's.
    JobContext context;
    context.progress_style = ProgressStyle::none;  // stderr is the menu's log file
    context.progress = progress;
    try {
        std::unique_ptr<Repository> own_repo;
        Repository& repo = held_or_opened(repo_, repo_location_, job.repo, repo_options_, own_repo);
        switch (job.mode) {
            case JobMode::savedisk:
            case JobMode::saveparts: {
                SaveOutcome o = save_image(save_job_request(job), repo, context, log_plan);
                result.bytes = o.plan.total_used_bytes();
                result.seconds = o.seconds;
                break;
            }
            case JobMode::restoredisk:
            case JobMode::restoreparts: {
                RestoreRequest request =
                    job.mode == JobMode::restoredisk ? restore_disk_request(job) : restore_parts_request(job);
                // Opened again: the image may have changed while the operator read the plan.
                RestoreSummary s = restore_image(request, repo, OpenedImage::open(repo, job.image), context, confirmed);
                result.bytes = s.bytes;
                result.seconds = s.seconds;
                break;
            }
            case JobMode::checkimage: {
                CheckSummary s = check_image(repo, OpenedImage::open(repo, job.image), context);
                result.bytes = s.bytes;
                result.seconds = s.seconds;
                break;
            }
        }
        result.ok = true;
        log::info(std::string("kura-menu: ") + job_mode_name(job.mode) + " " + job.image + " done");
    } catch (const Error& e) {
        result.message = e.message();
        result.exit_code = static_cast<int>(e.code());
    } catch (const std::exception& e) {
        result.message = e.what();
        result.exit_code = static_cast<int>(ExitCode::internal);
    }
    if (!result.ok) {
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        log::message(log::Level::error, std::string("kura-menu: ") + job_mode_name(job.mode) + " " + job.image +
                                            " failed (exit " + std::to_string(result.exit_code) + "): " + result.message.text);
    }
    return result;
}

bool EngineServices::reboot() { return leave_machine(RB_AUTOBOOT, "reboot"); }

bool EngineServices::power_off() { return leave_machine(RB_POWER_OFF, "power off"); }

bool EngineServices::leave_machine(int how, const char* what) {
    opened_.reset();
    repo_.reset();  // an NFSv4 repository is unmounted before the machine goes
    return restart_machine(how, what);
}

}  // namespace kura::tui
