// A fake /sys for disk discovery tests, shaped like the kernel's: each device is a
// directory under sys/devices/... (the path runs through its bus, which is how transports
// are told apart), reached through the symlinks sys/block/<disk>, sys/class/block/<name>
// and sys/dev/block/<major>:<minor>. A disk's "device" link points at its parent device
// (the SCSI device above block/, the NVMe controller, the virtio device), where model,
// vendor, wwid and vpd_pg80 live. Holders and slaves are symlinks both ways, as dm and md
// make them. Everything lives under one temporary directory removed at destruction.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace kura::testing {

class FakeSysfs {
public:
    FakeSysfs() {
        std::string pattern = (std::filesystem::temp_directory_path() / "kura-fake-sysfs-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        base_ = pattern;
        std::filesystem::create_directories(sys() / "block");
        std::filesystem::create_directories(sys() / "class" / "block");
        std::filesystem::create_directories(sys() / "dev" / "block");
    }
    ~FakeSysfs() {
        std::error_code ec;
        std::filesystem::remove_all(base_, ec);
    }
    FakeSysfs(const FakeSysfs&) = delete;
    FakeSysfs& operator=(const FakeSysfs&) = delete;

    // The sysfs root to hand to DiscoveryOptions / Sysfs.
    std::string root() const { return sys().string(); }
    std::filesystem::path base() const { return base_; }

    // A whole disk whose directory is sys/devices/<device_path> (ending in the disk's name,
    // e.g. "pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda"), of
    // `sectors` 512-byte units. Writes dev, size, ro, removable and queue/*.
    std::filesystem::path add_disk(const std::string& device_path, unsigned major, unsigned minor,
                                   std::uint64_t sectors, unsigned logical = 512, unsigned physical = 512,
                                   bool rotational = false) {
        std::filesystem::path dir = sys() / "devices" / device_path;
        std::string name = dir.filename().string();
        std::filesystem::create_directories(dir / "holders");
        std::filesystem::create_directories(dir / "slaves");
        write(dir / "dev", majmin(major, minor));
        write(dir / "size", std::to_string(sectors));
        write(dir / "ro", "0");
        write(dir / "removable", "0");
        write(dir / "queue" / "logical_block_size", std::to_string(logical));
        write(dir / "queue" / "physical_block_size", std::to_string(physical));
        write(dir / "queue" / "rotational", rotational ? "1" : "0");
        // Physical disks have a parent device; virtual ones (loop, dm) do not.
        if (device_path.rfind("virtual/", 0) != 0) {
            std::filesystem::path parent = dir.parent_path();
            if (parent.filename() == "block") parent = parent.parent_path();
            link(dir / "device", parent);
        }
        link(sys() / "block" / name, dir);
        link(sys() / "class" / "block" / name, dir);
        link(sys() / "dev" / "block" / majmin(major, minor), dir);
        return dir;
    }

    // Partition `number` of `disk`: sys/devices/.../<disk>/<part name> with partition, start
    // and size (512-byte units), reached through class/block and dev/block but not block/.
    std::filesystem::path add_partition(const std::string& disk, const std::string& part_name, int number,
                                        unsigned major, unsigned minor, std::uint64_t start, std::uint64_t sectors) {
        std::filesystem::path dir = dir_of(disk) / part_name;
        std::filesystem::create_directories(dir / "holders");
        write(dir / "dev", majmin(major, minor));
        write(dir / "partition", std::to_string(number));
        write(dir / "start", std::to_string(start));
        write(dir / "size", std::to_string(sectors));
        write(dir / "ro", "0");
        link(sys() / "class" / "block" / part_name, dir);
        link(sys() / "dev" / "block" / majmin(major, minor), dir);
        return dir;
    }

    // A dm-multipath map "mpath-<wwid>" named `map_name` over `paths`.
    std::filesystem::path add_multipath(const std::string& dm, const std::string& map_name, const std::string& uuid_wwid,
                                        unsigned major, unsigned minor, std::uint64_t sectors,
                                        std::initializer_list<std::string> paths) {
        auto dir = add_disk("virtual/block/" + dm, major, minor, sectors);
        write(dir / "dm" / "name", map_name);
        write(dir / "dm" / "uuid", "mpath-" + uuid_wwid);
        for (const auto& p : paths) hold(dm, p);
        return dir;
    }

    // `holder` (dm-0, md0) holds `slave`: slave/holders/<holder> and holder/slaves/<slave>.
    void hold(const std::string& holder, const std::string& slave) {
        link(dir_of(slave) / "holders" / holder, dir_of(holder));
        link(dir_of(holder) / "slaves" / slave, dir_of(slave));
    }

    // Writes `content` (plus a newline, as the kernel does) to <device dir>/<relative>;
    // "device/model" lands in the parent device through the link.
    void set(const std::string& name, const std::string& relative, const std::string& content) {
        write(dir_of(name) / relative, content);
    }
    void set_raw(const std::string& name, const std::string& relative, const std::string& bytes) {
        std::filesystem::path file = dir_of(name) / relative;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << bytes;
    }
    // Writes a file anywhere under sys/ (e.g. a USB device's serial).
    void set_path(const std::string& relative_to_sys, const std::string& content) {
        write(sys() / relative_to_sys, content);
    }

    std::filesystem::path dir_of(const std::string& name) const {
        return std::filesystem::canonical(sys() / "class" / "block" / name);
    }

private:
    std::filesystem::path sys() const { return base_ / "sys"; }

    static std::string majmin(unsigned major, unsigned minor) {
        return std::to_string(major) + ":" + std::to_string(minor);
    }
    static void write(const std::filesystem::path& file, const std::string& content) {
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file) << content << "\n";
    }
    // Relative links, as the kernel makes them (../../devices/...).
    static void link(const std::filesystem::path& at, const std::filesystem::path& target) {
        std::filesystem::create_directories(at.parent_path());
        std::filesystem::create_directory_symlink(std::filesystem::relative(target, at.parent_path()), at);
    }

    std::filesystem::path base_;
};

}  // namespace kura::testing
