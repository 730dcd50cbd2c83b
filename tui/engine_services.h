// The real MenuServices: the engine library and the machine. Jobs become the requests the
// `kura` verbs build (tui/job.h) and run through the same engine functions; nothing here
// images anything itself. What changes the machine beyond the chosen disks - the network,
// the console keymap, reboot and power off - happens only on the kura live system (the
// marker file /etc/kura-live), so running kura-menu elsewhere (a developer's machine, a
// test) leaves that machine as it was.
#pragma once

#include "ops/opened_image.h"
#include "tui/menu_services.h"

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
};

class EngineServices : public MenuServices {
public:
    explicit EngineServices(EngineServicesOptions options);
    // Unmounts the NFSv4 repository it mounted, if any.
    ~EngineServices() override;
    EngineServices(const EngineServices&) = delete;
    EngineServices& operator=(const EngineServices&) = delete;

    std::vector<DiskInfo> disks() override;
    std::vector<NetworkInterface> network_interfaces() override;
    // Off the live system (and without KURA_ALLOW_NETWORK_SETUP=1) only `keep` is accepted.
    void configure_network(const NetworkSettings& settings) override;
    bool load_keymap(const std::string& keymap) override;

    // A directory, dev:..., nfs://..., smb://... as `kura --repo` takes them, and
    // nfs4://server[:port]/export/path, which the kernel mounts (NFSv4; libnfs 4.0 cannot
    // write it) at /run/kura/repo-nfs4, then opened as a directory: RepositoryStatus::location
    // is that directory. An smb:// location needs `smb_password` (or KURA_SMB_PASSWORD or
    // KURA_SMB_CREDENTIALS): the engine's own prompt would write over the menu's screen.
    RepositoryStatus open_repository(const std::string& location, const std::string& smb_password) override;
    // Of the repository opened last.
    std::vector<ImageNeed> image_needs(const std::string& image, JobMode mode) override;

    Plan plan(const Job& job) override;
    JobResult run(const Job& job, const std::function<void(const ProgressSnapshot&)>& progress) override;

    bool reboot() override;
    bool power_off() override;

private:
    void unmount_nfs4();
    // Reboots or powers off (reboot(2) `how`) on the live system; false anywhere else.
    bool leave_machine(int how, const char* what);

    EngineServicesOptions options_;
    std::unique_ptr<Repository> repo_;  // the one open_repository() opened last
    std::string repo_location_;         // where repo_ is, as jobs name it
    // The image image_needs() opened last, so the plan that follows reads it no second time.
    std::optional<OpenedImage> opened_;
    bool nfs4_mounted_ = false;
};

}  // namespace kura::tui
