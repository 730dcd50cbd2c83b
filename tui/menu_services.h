// Everything the menu needs from the machine, behind one interface: the real one
// (tui/engine_services.h) asks the engine library and the system; the flow model's unit
// tests give it a scripted one. No imaging logic lives behind it either - a job is run by
// handing the engine the same requests the `kura` command line builds (tui/job.h).
#pragma once

#include "core/progress.h"
#include "device/disk_inventory.h"
#include "ops/list_images.h"
#include "ops/plan.h"
#include "ops/md_listing.h"
#include "ops/volume_listing.h"
#include "tui/job.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kura::tui {

struct NetworkInterface {
    std::string name;     // eth0, enp1s0, lo
    std::string mac;      // 52:54:00:12:34:56; empty for lo
    bool link_up = false; // carrier (operstate "up", or lo)
    std::vector<std::string> addresses;  // "192.168.1.5/24" as configured now
    bool loopback = false;
};

enum class AddressMode { keep, dhcp, manual };

struct NetworkSettings {
    std::string interface;
    AddressMode mode = AddressMode::dhcp;
    std::string address;  // manual: "192.168.1.5/24"
    std::string gateway;  // manual, may be empty
    std::string dns;      // manual, may be empty
};

// What a repository holds as the menu needs it; `error` set when it could not be opened.
struct RepositoryStatus {
    std::string describe;            // "nfs://127.0.0.1/export"
    // What jobs pass as --repo: the location as given, or where it was mounted
    // (nfs4://server/export is mounted by the kernel at /run/kura/repo-nfs4).
    std::string location;
    std::uint64_t free_bytes = 0;
    std::vector<ImageEntry> images;  // every image, restorable or not
};

// What an image needs of its targets, per disk in the image (restoredisk), or per
// partition (restoreparts): the smallest target that still takes everything.
struct ImageNeed {
    std::string name;            // sda, or sda1
    std::string fs_type;         // restoreparts: the partition's filesystem
    std::uint64_t min_bytes = 0; // the target must be at least this large
    std::uint64_t source_bytes = 0;  // the size the source had
    std::string source;          // "QEMU HARDDISK, serial:..." from kura's manifest; may be empty
    // The saved disk's identity (DiskInfo::identity()) from kura's manifest; empty when unknown.
    // Restoring onto that disk overwrites the machine the image came from.
    std::string source_identity;
};

struct JobResult {
    bool ok = false;
    Message message;            // the failure, as the engine said it (already names what is wrong)
    int exit_code = 0;          // the kura exit code it maps to
    std::uint64_t bytes = 0;    // data bytes saved or restored
    double seconds = 0;
    std::string log_path;       // where the whole log is
};

class MenuServices {
public:
    virtual ~MenuServices() = default;

    // Disks the operator may pick (confined by --devices), with refusals filled in.
    virtual std::vector<DiskInfo> disks() = 0;
    // The LVM volume groups whose PVs are on `disks`, their LVs read without activating
    // anything (ops/volume_listing.h). Throws Error naming a damaged PV. A machine a test
    // describes without LVM need not say so: none by default.
    virtual std::vector<ListedVolumeGroup> volume_groups(const std::vector<DiskInfo>& disks) {
        (void)disks;
        return {};
    }
    // The md arrays whose members are on `disks`, read without assembling anything
    // (ops/md_listing.h). Throws Error naming a damaged superblock. None by default.
    virtual std::vector<ListedMdArray> md_arrays(const std::vector<DiskInfo>& disks) {
        (void)disks;
        return {};
    }
    virtual std::vector<NetworkInterface> network_interfaces() = 0;
    // Throws Error naming what failed (no DHCP answer, bad address).
    virtual void configure_network(const NetworkSettings& settings) = 0;
    // Loads a console keymap ("us", "jp106"); returns false when there is no console to load
    // it into (not on the live system): a no-op, not an error.
    virtual bool load_keymap(const std::string& keymap) = 0;

    // Opens the repository (mounting or connecting as its kind needs) and reads it. Throws
    // Error naming what is wrong (server does not answer, wrong password, no such share).
    // `smb_password` is kept in memory for libsmbclient only.
    virtual RepositoryStatus open_repository(const std::string& location, const std::string& smb_password) = 0;
    virtual std::vector<ImageNeed> image_needs(const std::string& image, JobMode mode) = 0;

    // The engine's plan for a job, computed without writing anything (the dry run the CLI's
    // --dry-run prints). Throws Error when the engine refuses the job (target too small...).
    virtual Plan plan(const Job& job) = 0;
    // Runs the job; `progress` is called from the engine's threads with fresh numbers.
    virtual JobResult run(const Job& job, const std::function<void(const ProgressSnapshot&)>& progress) = 0;

    // The end of the journey: on the live system these reboot or power off the machine; on
    // any other machine they do nothing and return false (the menu then just exits).
    virtual bool reboot() = 0;
    virtual bool power_off() = 0;
};

}  // namespace kura::tui
