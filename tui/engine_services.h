// The real MenuServices: the engine library and the machine. Jobs become the requests the
// `kura` verbs build (tui/job.h) and run through the same engine functions; nothing here
// images anything itself. What changes the machine beyond the chosen disks - the network,
// the console keymap, reboot and power off - happens only on the kura live system (the
// marker file /etc/kura-live), so running kura-menu elsewhere (a developer's machine, a
// test) leaves that machine as it was.
#pragma once

#include "ops/job_context.h"
#include "ops/opened_image.h"
#include "pipeline/save_checkpoint.h"
#include "repo/repository_options.h"
#include "tui/menu_services.h"

#include <cstdint>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kura {
class Repository;
}

namespace kura::tui {

struct EngineServicesOptions {
    std::vector<std::string> only_devices;  // --devices: discovery confined to these
    std::string log_path;                   // reported in every JobResult
    // What main() read from the environment: the engine reads none itself.
    std::string environment_smb_password;  // KURA_SMB_PASSWORD, taken out of the environment
    std::string smb_credentials_file;      // KURA_SMB_CREDENTIALS
    std::uint64_t checkpoint_bytes = kDefaultCheckpointBytes;  // KURA_CHECKPOINT_BYTES
    std::string live_log_dir;              // KURA_LIVE_LOG_DIR (the live ISO's /var/log/kura)
};

class EngineServices : public MenuServices {
public:
    explicit EngineServices(EngineServicesOptions options);
    // Closes the repository (an NFSv4 one is unmounted).
    ~EngineServices() override;
    EngineServices(const EngineServices&) = delete;
    EngineServices& operator=(const EngineServices&) = delete;

    std::vector<DiskInfo> disks() override;
    std::vector<ListedVolumeGroup> volume_groups(const std::vector<DiskInfo>& disks) override;
    std::vector<ListedMdArray> md_arrays(const std::vector<DiskInfo>& disks) override;
    std::vector<NetworkInterface> network_interfaces() override;
    // Off the live system (and without KURA_ALLOW_NETWORK_SETUP=1) only `keep` is accepted.
    void configure_network(const NetworkSettings& settings) override;
    bool load_keymap(const std::string& keymap) override;

    // A directory, dev:..., nfs://..., nfs4://..., smb://... as `kura --repo` takes them.
    // nfs4://server[:port]/export/path is mounted by the kernel (repo/nfs4_repository.h)
    // at /run/kura/repo-nfs4 while it is open: RepositoryStatus::location is that
    // directory, which the jobs are given. An smb:// location needs `smb_password` (or
    // KURA_SMB_PASSWORD or KURA_SMB_CREDENTIALS): nothing is asked while the menu's screen shows.
    RepositoryStatus open_repository(const std::string& location, const std::string& smb_password) override;
    // Of the repository opened last.
    std::vector<ImageNeed> image_needs(const std::string& image, JobMode mode) override;

    Plan plan(const Job& job) override;
    JobResult run(const Job& job, const std::function<void(const ProgressSnapshot&)>& progress) override;

    bool reboot() override;
    bool power_off() override;

private:
    // A save job's request, with the options the engine would otherwise read from the
    // environment in its settings.
    SaveRequest save_job_request(const Job& job) const;
    // Reboots or powers off (reboot(2) `how`) on the live system; false anywhere else.
    bool leave_machine(int how, const char* what);

    EngineServicesOptions options_;
    std::unique_ptr<Repository> repo_;  // the one open_repository() opened last
    std::string repo_location_;         // where repo_ is, as jobs name it
    RepositoryOptions repo_options_;    // what opening it took (jobs open it again)
    // The image image_needs() opened last, so the plan that follows reads it no second time.
    std::optional<OpenedImage> opened_;
};

}  // namespace kura::tui
