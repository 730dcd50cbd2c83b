// Which table a disk carries. Sector 0 ending in 55AA is not enough to call it an MBR: a
// FAT or NTFS filesystem made on the whole disk (a "superfloppy", a USB stick formatted
// by Windows) has a boot sector ending the same way, and its BPB would read as nonsense
// partition entries. libblkid's filesystem probes decide that case, as they do for
// blkid and the kernel's tools.
#include "ptable/on_disk.h"

#include "core/error.h"
#include "device/device.h"

#include <blkid/blkid.h>

#include <cstdlib>

namespace kura {
namespace {

struct WholeDiskSignature {
    std::string type;          // "vfat", "ext4", "linux_raid_member", ... or empty
    std::uint64_t offset = 0;  // where its magic lies on the disk
};

// The filesystem (or RAID/LVM member) libblkid finds on the whole disk; empty when none,
// or several contradicting ones.
WholeDiskSignature whole_disk_signature(const Device& disk) {
    WholeDiskSignature sig;
    blkid_probe pr = blkid_new_probe();
    if (!pr) return sig;
    if (blkid_probe_set_device(pr, disk.fd(), 0, blkid_loff_t(disk.size())) == 0) {
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_MAGIC);
        blkid_probe_enable_partitions(pr, 0);
        if (blkid_do_safeprobe(pr) == 0) {
            const char* v = nullptr;
            if (blkid_probe_lookup_value(pr, "TYPE", &v, nullptr) == 0 && v) sig.type = v;
            if (blkid_probe_lookup_value(pr, "SBMAGIC_OFFSET", &v, nullptr) == 0 && v)
                sig.offset = std::strtoull(v, nullptr, 10);
        }
    }
    blkid_free_probe(pr);
    return sig;
}

bool boot_sector_filesystem(const std::string& type) {
    return type == "vfat" || type == "msdos" || type == "ntfs" || type == "exfat";
}

}  // namespace

PartitionTable read_partition_table(const Device& disk, std::uint32_t logical_sector,
                                    std::vector<std::string>& warnings) {
    using namespace ptable;
    if (logical_sector < 512 || logical_sector > 65536 || (logical_sector & (logical_sector - 1)) != 0)
        throw Error(ExitCode::internal, disk.path() + ": logical sector size " + std::to_string(logical_sector) +
                                            " is not a power of two from 512");
    PartitionTable none;
    none.kind = TableKind::none;
    none.sector_size = logical_sector;
    none.disk_sectors = disk.size() / logical_sector;
    if (disk.size() < 2ull * logical_sector) return none;

    std::vector<std::uint8_t> s0 = read_sectors(disk, logical_sector, 0, 1);
    const bool signature = has_boot_signature(s0.data());
    bool protective = false;
    for (int i = 0; signature && i < 4; ++i) protective |= mbr_entry(s0.data(), i).type == mbr_type_gpt_protective;
    if (protective) return read_gpt(disk, logical_sector, s0, warnings);

    std::vector<std::uint8_t> s1 = read_sectors(disk, logical_sector, 1, 1);
    GptHeader h;
    if (parse_gpt_header(s1.data(), logical_sector, 1, none.disk_sectors, h).empty())
        warnings.push_back(disk.path() + ": a GPT header at LBA 1 has no protective MBR in sector 0; like the "
                                         "kernel and sfdisk, kura does not use it");

    const WholeDiskSignature fs = whole_disk_signature(disk);
    if (!signature) return none;
    if (boot_sector_filesystem(fs.type)) return none;
    PartitionTable t = read_mbr(disk, logical_sector, s0, warnings);
    // A signature inside a partition is that partition's (an md 0.90 member ending at the
    // disk's end shows on the whole disk too); one before the first is a leftover.
    if (!fs.type.empty() && fs.offset < t.first_partition_start() * logical_sector)
        warnings.push_back(disk.path() + ": besides the MBR, the start of the disk carries a " + fs.type +
                           " signature (left over from an earlier use of the disk?)");
    return t;
}

}  // namespace kura
