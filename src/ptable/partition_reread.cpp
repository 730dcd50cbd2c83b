// After a new table is written the kernel must drop the old partitions and create the new
// ones before any partition can be restored. BLKRRPART asks it to parse the table again;
// where that is refused (a loop device attached without partition scanning says EINVAL;
// a partition of the old table still open says EBUSY) the partitions are replaced one by
// one with BLKPG, as partx does. Either way kura then waits until sysfs shows every
// partition at the expected offset and its /dev node exists, because udev or devtmpfs
// create the nodes asynchronously.
#include "ptable/partition_table.h"

#include "core/error.h"
#include "device/device.h"
#include "device/partition_name.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <linux/blkpg.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace kura {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The kernel's directory for the disk: /sys/dev/block/MAJ:MIN resolves to .../block/<name>.
fs::path sysfs_dir(const Device& d) {
    struct stat st {};
    if (fstat(d.fd(), &st) != 0) throw_errno(ExitCode::io_error, d.path(), errno);
    fs::path link = "/sys/dev/block/" + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
    std::error_code ec;
    fs::path dir = fs::canonical(link, ec);
    if (ec) throw Error(ExitCode::io_error, d.path() + ": not found in sysfs (" + link.string() + ")");
    return dir;
}

std::string read_line(const fs::path& p) {
    std::ifstream in(p);
    std::string s;
    std::getline(in, s);
    return s;
}

// What the kernel should show for `p`, in 512-byte units as sysfs counts. An extended
// partition appears as its first 1 KiB (or one sector when sectors are larger), so that
// nothing formats the chain of EBRs by mistake.
std::uint64_t kernel_length(const PartitionTable& t, const PartitionEntry& p) {
    std::uint64_t bytes = p.size * t.sector_size;
    if (t.kind == TableKind::mbr && p.is_extended()) bytes = std::min<std::uint64_t>(bytes, std::max<std::uint64_t>(t.sector_size, 1024));
    return bytes;
}

int blkpg(const Device& d, int op, int number, long long start, long long length) {
    blkpg_partition part {};
    part.start = start;
    part.length = length;
    part.pno = number;
    blkpg_ioctl_arg arg {};
    arg.op = op;
    arg.datalen = sizeof part;
    arg.data = &part;
    return ioctl(d.fd(), BLKPG, &arg) == 0 ? 0 : errno;
}

void replace_with_blkpg(const Device& d, const PartitionTable& t, const fs::path& dir, int rrpart_error) {
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!fs::exists(entry.path() / "partition")) continue;
        int number = std::stoi(read_line(entry.path() / "partition"));
        int err = blkpg(d, BLKPG_DEL_PARTITION, number, 0, 0);
        if (err && err != ENXIO)
            throw Error(ExitCode::target_refused,
                        d.path() + ": the kernel keeps the old partition " + entry.path().filename().string() +
                            " (" + std::strerror(err) + "; BLKRRPART: " + std::strerror(rrpart_error) +
                            "); is it mounted or in use?");
    }
    for (const auto& p : t.partitions) {
        int err = blkpg(d, BLKPG_ADD_PARTITION, p.number, (long long)(p.start * t.sector_size),
                        (long long)kernel_length(t, p));
        if (err)
            throw Error(ExitCode::io_error, d.path() + ": the kernel refused partition " + std::to_string(p.number) +
                                                " (BLKRRPART: " + std::strerror(rrpart_error) +
                                                ", BLKPG: " + std::strerror(err) + ")");
    }
}

}  // namespace

void reread_partitions(Device& target, const PartitionTable& table) {
    if (!target.is_block_device()) return;
    const fs::path dir = sysfs_dir(target);
    const std::string kname = dir.filename().string();

    int err = 0;
    for (int attempt = 0; attempt < 10; ++attempt) {
        err = ioctl(target.fd(), BLKRRPART) == 0 ? 0 : errno;
        if (err != EBUSY) break;
        // udev probing the new table holds the disk open for a moment.
        std::this_thread::sleep_for(200ms);
    }
    if (err) replace_with_blkpg(target, table, dir, err);

    // Wait for the kernel's view to match the table and for the nodes to exist.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (const auto& p : table.partitions) {
        const std::string name = partition_name(kname, p.number);
        const fs::path sys = fs::path("/sys/class/block") / name;
        const std::string start = std::to_string(p.start * table.sector_size / 512);
        const std::string size = std::to_string(kernel_length(table, p) / 512);
        while (true) {
            struct stat st {};
            const bool node = ::stat(("/dev/" + name).c_str(), &st) == 0 && S_ISBLK(st.st_mode);
            if (node && read_line(sys / "start") == start && read_line(sys / "size") == size) break;
            if (std::chrono::steady_clock::now() > deadline)
                throw Error(ExitCode::io_error,
                            target.path() + ": after the new table was written, /dev/" + name + " did not appear at "
                                            "sector " + std::to_string(p.start) + " within 10 seconds");
            std::this_thread::sleep_for(50ms);
        }
    }
}

}  // namespace kura
