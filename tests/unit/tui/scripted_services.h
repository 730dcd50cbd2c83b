// A MenuServices for the flow model's unit tests: a machine described in the test (disks,
// NICs, repositories and their images) that records what the flow asked of it. The real
// services are exercised by tests/integration/test_menu_*.py through kura-menu itself.
#pragma once

#include "core/error.h"
#include "tui/menu_services.h"

#include <map>
#include <optional>

namespace kura::tui::testing {

inline DiskInfo make_disk(const std::string& name, std::uint64_t bytes, const std::string& serial,
                          std::vector<std::pair<std::string, std::string>> parts = {}) {
    DiskInfo d;
    d.name = name;
    d.path = "/dev/" + name;
    d.size_bytes = bytes;
    d.serial = serial;
    d.model = "TESTDISK";
    d.transport = Transport::sata;
    int number = 1;
    for (const auto& [part, fs] : parts) {
        PartitionInfo p;
        p.name = part;
        p.path = "/dev/" + part;
        p.number = number++;
        p.size_bytes = bytes / 4;
        p.fs_type = fs;
        d.partitions.push_back(p);
    }
    return d;
}

class ScriptedServices : public MenuServices {
public:
    std::vector<DiskInfo> disk_list;
    std::vector<NetworkInterface> nics;
    std::map<std::string, RepositoryStatus> repositories;  // location -> what it holds
    std::string smb_password_expected = "right";
    std::map<std::string, std::vector<ImageNeed>> needs;   // image -> needs
    std::vector<NetworkSettings> network_calls;
    std::vector<std::string> keymaps_loaded;
    std::vector<std::string> opened;
    std::vector<Job> planned, ran;
    std::vector<Message> plan_warnings;        // added to every plan, as the engine words them
    std::optional<PlanItem> plan_disk_row;      // restoredisk/savedisk: the engine's row for the disk itself
    std::optional<Error> open_error;            // thrown by open_repository when set

    std::vector<DiskInfo> disks() override { return disk_list; }
    std::vector<NetworkInterface> network_interfaces() override { return nics; }
    void configure_network(const NetworkSettings& settings) override {
        network_calls.push_back(settings);
        if (settings.mode == AddressMode::dhcp) throw Error(ExitCode::io_error, "no DHCP answer on " + settings.interface);
    }
    bool load_keymap(const std::string& keymap) override {
        keymaps_loaded.push_back(keymap);
        return false;
    }
    RepositoryStatus open_repository(const std::string& location, const std::string& smb_password) override {
        opened.push_back(location);
        if (open_error) throw *open_error;
        if (location.rfind("smb://", 0) == 0 && smb_password != smb_password_expected)
            throw Error(ExitCode::usage, "SMB server refused the logon: wrong password or unknown user");
        auto found = repositories.find(location);
        if (found == repositories.end())
            throw Error(ExitCode::image_not_found, "server for " + location + " does not answer");
        RepositoryStatus status = found->second;
        status.describe = location;
        return status;
    }
    std::vector<ImageNeed> image_needs(const std::string& image, JobMode) override { return needs.at(image); }
    Plan plan(const Job& job) override {
        planned.push_back(job);
        Plan p;
        p.mode = job_mode_name(job.mode);
        p.image = job.image;
        p.warnings = plan_warnings;
        if (plan_disk_row) p.items.push_back(*plan_disk_row);
        for (const auto& device : job.devices) {
            PlanItem item;
            item.name = device;
            item.device = device;
            item.fs_type = "ext4";
            item.device_bytes = 1 << 30;
            item.used_bytes = 1 << 20;
            p.items.push_back(item);
        }
        return p;
    }
    JobResult run(const Job& job, const std::function<void(const ProgressSnapshot&)>&) override {
        ran.push_back(job);
        JobResult r;
        r.ok = true;
        r.bytes = 1 << 20;
        r.seconds = 2;
        r.log_path = "/tmp/kura-menu.log";
        return r;
    }
    bool reboot() override { return false; }
    bool power_off() override { return false; }
};

}  // namespace kura::tui::testing
