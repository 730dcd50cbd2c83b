#include "tui/engine_services.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/device.h"
#include "device/mount_table.h"
#include "ops/check_image.h"
#include "ops/opened_image.h"
#include "ops/target_needs.h"
#include "ptable/partition_table.h"
#include "repo/open_repository.h"
#include "repo/smb_credentials.h"
#include "storage/repository.h"
#include "tui/network_setup.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>

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
constexpr const char* kNfs4MountPoint = "/run/kura/repo-nfs4";
constexpr const char* kNfs4Scheme = "nfs4://";

bool on_live_system() { return ::access(kLiveMarker, F_OK) == 0; }

bool network_setup_allowed() {
    const char* allow = std::getenv("KURA_ALLOW_NETWORK_SETUP");
    return on_live_system() || (allow && std::string(allow) == "1");
}

// Unsets the progress observer however the job ends.
class ObserverScope {
public:
    explicit ObserverScope(const std::function<void(const ProgressSnapshot&)>& observer) {
        set_progress_observer(observer);
    }
    ~ObserverScope() { set_progress_observer(nullptr); }
    ObserverScope(const ObserverScope&) = delete;
    ObserverScope& operator=(const ObserverScope&) = delete;
};

struct Nfs4Location {
    std::string server;  // host or address, with [ ] for IPv6
    std::string port;    // empty: 2049
    std::string path;    // /export/path
};

// nfs4://server[:port]/export/path
Nfs4Location parse_nfs4(const std::string& location) {
    std::string rest = location.substr(std::string(kNfs4Scheme).size());
    auto slash = rest.find('/');
    Nfs4Location n;
    std::string authority = rest.substr(0, slash);
    n.path = slash == std::string::npos ? "" : rest.substr(slash);
    while (n.path.size() > 1 && n.path.back() == '/') n.path.pop_back();
    auto colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
        n.port = authority.substr(colon + 1);
        authority.resize(colon);
        if (n.port.empty() || n.port.find_first_not_of("0123456789") != std::string::npos)
            throw Error(ExitCode::usage, location + ": the port after the server must be a number");
    }
    n.server = authority;
    if (n.server.empty() || n.path.empty())
        throw Error(ExitCode::usage, location + ": write nfs4://server/export/path");
    if (authority.find_first_of(" ,") != std::string::npos || n.path.find(',') != std::string::npos)
        throw Error(ExitCode::usage, location + ": the server or path holds a character mount cannot take");
    return n;
}

bool mounted_at(const std::string& mount_point) {
    const MountTable table = MountTable::load();  // not a temporary: the loop keeps a reference into it
    for (const auto& m : table.entries())
        if (m.mount_point == mount_point) return true;
    return false;
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
    opened_.reset();
    repo_.reset();
    if (!nfs4_mounted_) return;
    try {
        unmount_nfs4();
    } catch (const std::exception& e) {
        log::warn(e.what());
    }
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

void EngineServices::unmount_nfs4() {
    if (!mounted_at(kNfs4MountPoint)) {
        nfs4_mounted_ = false;
        return;
    }
    log::info("kura-menu: unmounting " + std::string(kNfs4MountPoint));
    ToolResult r = run_tool({"umount", kNfs4MountPoint}, ExitCode::io_error);
    if (r.exit_status != 0)
        throw Error(ExitCode::io_error, std::string("cannot unmount the earlier NFSv4 repository at ") +
                                            kNfs4MountPoint + ": " + r.output);
    nfs4_mounted_ = false;
}

RepositoryStatus EngineServices::open_repository(const std::string& location, const std::string& smb_password) {
    opened_.reset();
    repo_.reset();
    std::string local = location;
    if (location.rfind(kNfs4Scheme, 0) == 0) {
        Nfs4Location n = parse_nfs4(location);
        std::string what = "nfs4://" + n.server + (n.port.empty() ? "" : ":" + n.port) + n.path;
        unmount_nfs4();
        std::error_code ec;
        std::filesystem::create_directories(kNfs4MountPoint, ec);
        if (ec) throw Error(ExitCode::io_error, std::string("cannot create ") + kNfs4MountPoint + ": " + ec.message());
        // retry=0: one attempt, so a wrong server or export is said in the menu at once
        // instead of after mount.nfs's two minutes of retrying.
        std::string options = "vers=4,retry=0" + (n.port.empty() ? "" : ",port=" + n.port);
        std::vector<std::string> argv{"mount", "-t", "nfs4", "-o", options, n.server + ":" + n.path, kNfs4MountPoint};
        log::info("kura-menu: mounting " + what + " (NFSv4, by the kernel) at " + kNfs4MountPoint);
        ToolResult r = run_tool(argv, ExitCode::io_error);
        if (r.exit_status != 0) {
            std::string said = r.output;
            while (!said.empty() && said.back() == '\n') said.pop_back();
            throw Error(ExitCode::io_error, "cannot mount " + what + " (export " + n.path + " on server " + n.server +
                                                ", NFSv4 through the kernel): " + said);
        }
        nfs4_mounted_ = true;
        local = kNfs4MountPoint;
    } else if (location.rfind("smb://", 0) == 0) {
        if (!smb_password.empty()) {
            set_smb_password(smb_password);
        } else if (!smb_password_from_environment() && !std::getenv("KURA_SMB_CREDENTIALS")) {
            throw Error(ExitCode::usage, "no SMB password for " + location.substr(0, location.find('?')) +
                                             ": type the password");
        }
    }
    // Never logged with the password: the location holds none (smb:// refuses one).
    log::info("kura-menu: opening the repository " + local.substr(0, local.find('?')));
    repo_ = kura::open_repository(local);
    repo_location_ = local;
    RepositoryStatus status;
    status.describe = repo_->describe();
    status.location = local;
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
    switch (job.mode) {
        case JobMode::savedisk: {
            SaveDiskRequest request = save_disk_request(job);
            request.dry_run = true;
            return save_disk(request, [](const Plan&) {}).plan;
        }
        case JobMode::saveparts: {
            SavePartsRequest request = save_parts_request(job);
            request.dry_run = true;
            return save_parts(request, [](const Plan&) {}).plan;
        }
        // A dry run shows the confirmation the plan and writes nothing, whatever it answers.
        case JobMode::restoredisk: {
            RestoreDiskRequest request = restore_disk_request(job);
            request.dry_run = true;
            if (opened_ && repo_ && job.repo == repo_location_) {
                request.opened_repo = repo_.get();
                request.opened_image = &*opened_;
            }
            return restore_disk(request, [](const Plan&) { return false; }).plan;
        }
        case JobMode::restoreparts: {
            RestorePartsRequest request = restore_parts_request(job);
            request.dry_run = true;
            if (opened_ && repo_ && job.repo == repo_location_) {
                request.opened_repo = repo_.get();
                request.opened_image = &*opened_;
            }
            return restore_parts(request, [](const Plan&) { return false; }).plan;
        }
        case JobMode::checkimage: {
            if (repo_ && job.repo == repo_location_) return check_image_plan(*repo_, OpenedImage::open(*repo_, job.image));
            auto repo = kura::open_repository(job.repo);
            return check_image_plan(*repo, OpenedImage::open(*repo, job.image));
        }
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
    try {
        ObserverScope observing(progress);
        switch (job.mode) {
            case JobMode::savedisk: {
                SaveOutcome o = save_disk(save_disk_request(job), log_plan);
                result.bytes = o.plan.total_used_bytes();
                result.seconds = o.seconds;
                break;
            }
            case JobMode::saveparts: {
                SaveOutcome o = save_parts(save_parts_request(job), log_plan);
                result.bytes = o.plan.total_used_bytes();
                result.seconds = o.seconds;
                break;
            }
            case JobMode::restoredisk: {
                RestoreSummary s = restore_disk(restore_disk_request(job), confirmed);
                result.bytes = s.bytes;
                result.seconds = s.seconds;
                break;
            }
            case JobMode::restoreparts: {
                RestoreSummary s = restore_parts(restore_parts_request(job), confirmed);
                result.bytes = s.bytes;
                result.seconds = s.seconds;
                break;
            }
            case JobMode::checkimage: {
                CheckSummary s = check_image(job.repo, job.image, ProgressStyle::none);
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
    repo_.reset();
    if (on_live_system()) {
        try {
            unmount_nfs4();
        } catch (const std::exception& e) {
            log::warn(e.what());
        }
    }
    return restart_machine(how, what);
}

}  // namespace kura::tui
