// The disks this machine offers, as the operator must see them to choose safely: size,
// sector sizes, model, serial, WWID, transport, partitions with their filesystems, and
// why a disk may not be written to. Read from sysfs (a root tests can point at a fake
// tree) and libblkid. Paths of one LUN collapse into their dm-multipath device: a path is
// never offered beside its multipath device, because writing through one path behind
// multipathd's back corrupts the LUN.
#pragma once

#include "device/safety.h"

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace kura {

enum class Transport { unknown, sata, sas, nvme, usb, fc, virtio, iscsi, scsi, mmc, loop, multipath, file };

// "sata", "usb", ... as lsblk's TRAN column spells them ("multipath", "loop", "file" are ours).
std::string transport_name(Transport t);

struct PartitionInfo {
    std::string name;            // sda1, nvme0n1p2, loop3p1; a multipath disk's: the map name (mpatha1)
    std::string path;            // /dev/sda1, /dev/mapper/mpatha1
    dev_t dev = 0;               // major:minor
    int number = 0;              // 1-based, as in the partition table
    std::uint64_t start_bytes = 0;  // 0 when sysfs does not know (a multipath map without partitioned paths)
    std::uint64_t size_bytes = 0;
    std::string fs_type, label, uuid;  // libblkid; empty when nothing was recognised
    std::vector<std::string> mount_points;
    bool swap_active = false;
};

struct DiskInfo {
    std::string name;            // sda, nvme0n1, loop3, dm-2 (a multipath map), or a file's stem
    std::string path;            // /dev/sda, /dev/mapper/mpatha, or the image file
    dev_t dev = 0;               // major:minor; 0 for an image file
    std::uint64_t size_bytes = 0;
    std::uint32_t logical_sector = 512;
    std::uint32_t physical_sector = 512;
    std::string model, vendor, serial, wwid;
    Transport transport = Transport::unknown;
    // For a multipath device: how its paths are attached (fc, iscsi, sas); else unknown.
    Transport path_transport = Transport::unknown;
    bool removable = false;
    bool read_only = false;
    bool rotational = false;
    std::vector<std::string> holders;   // kernel names (dm-0, md0) holding the disk
    std::vector<std::string> paths;     // for a multipath device: its member paths (sdb, sdc)
    std::string backing_file;           // for a loop device: the file behind it
    std::vector<PartitionInfo> partitions;
    // The partition table's kind as sfdisk names it ("gpt", "dos"); empty when there is none
    // or it was not read (discover_disks leaves it to callers that open the disk, as kura-menu does).
    std::string partition_table;
    // A filesystem on the whole disk (no partition table; libblkid); empty otherwise.
    std::string fs_type, label, uuid;
    std::vector<std::string> mount_points;  // of a whole-disk filesystem
    // Why the disk must not be a restore target (mounted partition, active swap, holds
    // the running system, read-only, held by device-mapper/RAID, one of several paths to
    // one LUN with no multipath map); empty when it may be. Reasons are joined with "; ".
    std::string refusal;
    bool holds_running_system = false;

    // What identifies the disk across boots: "wwid:<wwid>", else "serial:<serial>", else
    // the path. sdX order changes between boots, so images and unattended commands use this.
    std::string identity() const;
};

struct DiscoveryOptions {
    // Both enumeration and the safety checks read this tree (the SystemView's own Sysfs is
    // replaced by it), so a fake tree and its fake mount table stay consistent.
    std::string sysfs_root = "/sys";
    std::string dev_root = "/dev";
    // When not empty, only these disks (anything find_disk accepts) are listed: tests and
    // demos confine kura to devices they made. An entry naming no disk throws like find_disk.
    std::vector<std::string> only;
    // Probe partitions with libblkid (off for fake sysfs trees whose /dev does not exist).
    bool probe_filesystems = true;
};

// Every whole disk, multipath paths collapsed, sorted by name (digits compared as numbers:
// loop2 before loop10). Left out: loop devices without a backing file, device-mapper maps
// other than multipath (LVM, crypt, kpartx partitions), md RAID, zram, ram, optical and
// floppy drives, MMC boot/RPMB areas, hidden NVMe path devices, and anything of size 0
// (an empty card reader). Two paths with one WWID and no multipath map are both listed,
// each refused (see docs/architecture.md).
std::vector<DiskInfo> discover_disks(const DiscoveryOptions& options = DiscoveryOptions{},
                                     const SystemView& system = SystemView{});

// The disk an operator or an image names: a path (/dev/sda, /dev/disk/by-id/..., a disk
// image file), a kernel name (sda), "wwid:..." or "serial:...". A multipath member path
// resolves to its multipath device. Throws Error(target_refused) for a name no disk has
// (e.g. a disk that vanished), naming it, for a partition, and for an identity that two
// disks share (paths to one LUN without a multipath map). The result's `refusal` tells
// whether it may be written; find_disk itself refuses nothing else.
DiskInfo find_disk(const std::string& name, const DiscoveryOptions& options = DiscoveryOptions{},
                   const SystemView& system = SystemView{});

// A disk image file (a VM's raw disk, a test's image) described like a disk: its stem as
// the name, its absolute path, transport "file", 512-byte sectors, no identity beyond its
// path, no partitions (the partition table layer reads those). Throws
// Error(target_refused) when it is not a regular file.
DiskInfo describe_disk_file(const std::string& path);

// `list-disks` as a table for people (lsblk-like, partitions indented below their disk,
// a NOTE column with paths, backing files and refusals) and as one JSON document
// {"verb":"list-disks","disks":[...]} with stable keys (docs/cli.md).
std::string disks_table_text(const std::vector<DiskInfo>& disks);
std::string disks_json(const std::vector<DiskInfo>& disks);

}  // namespace kura
