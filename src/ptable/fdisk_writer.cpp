// Writing a table with libfdisk, the library behind sfdisk. kura hands libfdisk its own
// `-pt.sf` text as a libfdisk script, the way Clonezilla's restore pipes the dump into
// sfdisk, so the result is byte for byte what sfdisk makes from it: the same CHS fields,
// the same EBR positions for logical partitions, GPT's backup at the target's own end.
// The table is read back afterwards and compared with the one asked for.
//
// libfdisk's own wiping is off: it probes the whole device and erases every signature it
// finds, which kura does not want decided by a library. Instead kura zeroes only what no
// partition covers: the gap after sector 0 up to the first partition (at most 1 MiB) and
// the last MiB after the last partition, plus any old GPT header. That removes stale
// tables and a former whole-disk filesystem's or RAID member's signature, and leaves the
// bytes partitions will hold alone. Sector 0 keeps its boot code; the caller writes the
// saved one.
#include "ptable/partition_table.h"

#include "core/error.h"
#include "device/device.h"
#include "ptable/clonezilla_table_files.h"
#include "ptable/on_disk.h"

#include <libfdisk/libfdisk.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>

#include <linux/fs.h>
#include <sys/ioctl.h>

namespace kura {
namespace {

constexpr std::uint64_t mib = 1 << 20;

struct ContextDeleter {
    void operator()(fdisk_context* c) const { fdisk_unref_context(c); }
};
struct ScriptDeleter {
    void operator()(fdisk_script* s) const { fdisk_unref_script(s); }
};
struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};

// libfdisk reports warnings through its "ask" callback; kept to explain a failure.
int collect_messages(fdisk_context*, fdisk_ask* ask, void* data) {
    auto* messages = static_cast<std::vector<std::string>*>(data);
    switch (fdisk_ask_get_type(ask)) {
        case FDISK_ASKTYPE_WARN:
        case FDISK_ASKTYPE_WARNX:
        case FDISK_ASKTYPE_INFO:
            if (const char* m = fdisk_ask_print_get_mesg(ask)) messages->push_back(m);
            return 0;
        default:
            return -EINVAL;  // no questions: every answer is in the table already
    }
}

// The dump libfdisk is given: kura's `-pt.sf` text without the last-lba line, exactly
// what Clonezilla pipes into sfdisk, so libfdisk places the GPT end structures at this
// disk's end and applies first-lba, label-id, table-length and every partition field as
// it does for sfdisk. (libfdisk behaves differently with a script: it keeps explicit
// sizes and accepts starts below its 1 MiB alignment, as an old layout needs.)
std::string script_text(const PartitionTable& t) {
    std::istringstream in(sfdisk_dump_text(t, "kura"));
    std::string line, out;
    while (std::getline(in, line))
        if (line.rfind("last-lba:", 0) != 0) out += line + "\n";
    return out;
}

class Writer {
public:
    Writer(Device& target, const PartitionTable& table) : target_(target), t_(table) {}

    [[noreturn]] void fail(ExitCode code, const std::string& what, int rc) {
        std::string msg = target_.path() + ": " + what;
        if (rc < 0) msg += ": " + std::string(std::strerror(-rc));
        if (!messages_.empty()) msg += " (libfdisk: " + messages_.back() + ")";
        throw Error(code, msg);
    }

    void write() {
        std::unique_ptr<fdisk_context, ContextDeleter> holder(fdisk_new_context());
        fdisk_context* cxt = holder.get();
        if (!cxt) throw Error(ExitCode::internal, "libfdisk: cannot allocate a context");
        fdisk_set_ask(cxt, collect_messages, &messages_);
        // An image file has no sector size of its own: the table's is the one to use.
        if (!target_.is_block_device()) fdisk_save_user_sector_size(cxt, t_.sector_size, t_.sector_size);
        int rc = fdisk_assign_device_by_fd(cxt, target_.fd(), target_.path().c_str(), 0);
        if (rc) fail(ExitCode::io_error, "libfdisk cannot use the device", rc);
        fdisk_enable_wipe(cxt, 0);
        if (fdisk_get_sector_size(cxt) != t_.sector_size)
            fail(ExitCode::target_refused,
                 "libfdisk sees " + std::to_string(fdisk_get_sector_size(cxt)) + "-byte sectors, the table has " +
                     std::to_string(t_.sector_size) + "-byte sectors",
                 0);

        const std::string text = script_text(t_);
        std::unique_ptr<fdisk_script, ScriptDeleter> script(fdisk_new_script(cxt));
        if (!script) throw Error(ExitCode::internal, "libfdisk: cannot allocate a script");
        {
            std::unique_ptr<FILE, FileCloser> f(fmemopen(const_cast<char*>(text.data()), text.size(), "r"));
            if (!f) throw_errno(ExitCode::internal, "fmemopen", errno);
            rc = fdisk_script_read_file(script.get(), f.get());
            if (rc) fail(ExitCode::internal, "libfdisk does not accept kura's dump:\n" + text, rc);
        }
        rc = fdisk_apply_script(cxt, script.get());
        if (rc) fail(ExitCode::target_refused, "libfdisk cannot lay out the table", rc);
        rc = fdisk_write_disklabel(cxt);
        if (rc) fail(ExitCode::io_error, "writing the partition table failed", rc);
        // nosync: kura fsyncs the device itself; libfdisk's sync() would flush every
        // filesystem of the live system as well.
        fdisk_deassign_device(cxt, 1);
    }

private:
    Device& target_;
    const PartitionTable& t_;
    std::vector<std::string> messages_;
};

std::uint32_t device_sector_size(const Device& d, std::uint32_t fallback) {
    if (!d.is_block_device()) return fallback;
    int ss = 0;
    if (ioctl(d.fd(), BLKSSZGET, &ss) != 0 || ss <= 0)
        throw_errno(ExitCode::io_error, d.path() + ": cannot read the logical sector size", errno);
    return std::uint32_t(ss);
}

bool gpt_signature_at(Device& target, std::uint64_t offset) {
    char sig[8] = {};
    target.read_at(sig, sizeof sig, offset);
    return std::memcmp(sig, "EFI PART", 8) == 0;
}

// Zeroes the areas no partition of `t` covers at both ends of the disk (see the top), and
// the headers of a former GPT wherever they are: like sfdisk, which always removes old
// partition-table signatures, since a stale backup GPT inside the new last partition
// would still be found by blkid and wipefs (and by anyone restoring from it).
void clear_stale_areas(Device& target, const PartitionTable& t, std::uint64_t disk_sectors) {
    const std::uint64_t ss = t.sector_size;
    std::vector<std::uint64_t> old_headers;
    if (gpt_signature_at(target, ss)) {
        std::vector<std::uint8_t> h = ptable::read_sectors(target, t.sector_size, 1, 1);
        old_headers.push_back(1);
        const std::uint64_t alternate = ptable::le64(h.data() + 32);
        if (alternate > 1 && alternate < disk_sectors) old_headers.push_back(alternate);
    }
    old_headers.push_back(disk_sectors - 1);
    for (std::uint64_t lba : old_headers)
        if (gpt_signature_at(target, lba * ss)) target.write_zeroes(lba * ss, ss);

    if (t.kind == TableKind::none) {
        // No table: only what would make a table appear is cleared (the MBR's entries
        // and signature; GPT headers above).
        std::uint8_t zero[66] = {};
        target.write_at(zero, sizeof zero, 446);
        return;
    }
    const std::uint64_t window = std::max<std::uint64_t>(mib / ss, 1);
    const std::uint64_t head_end = std::min(t.first_partition_start(), window);
    if (head_end > 1) target.write_zeroes(ss, (head_end - 1) * ss);
    const std::uint64_t tail_start = std::max(t.end_of_partitions(), disk_sectors > window ? disk_sectors - window : 0);
    if (tail_start < disk_sectors) target.write_zeroes(tail_start * ss, (disk_sectors - tail_start) * ss);
}

[[noreturn]] void written_differs(const Device& target, const std::string& what) {
    throw Error(ExitCode::io_error, target.path() + ": the table written differs from the one asked for: " + what);
}

// Reads the new table back and compares it with what was asked for, so a libfdisk that
// quietly adjusted a start, a size or a type is caught before any data is restored.
void verify_written(const Device& target, const PartitionTable& want) {
    std::vector<std::string> warnings;
    PartitionTable got = read_partition_table(target, want.sector_size, warnings);
    auto mismatch = [&](const std::string& what) { written_differs(target, what); };
    if (got.kind != want.kind) mismatch("label " + table_kind_name(got.kind));
    if (!want.label_id.empty() && got.label_id != want.label_id) mismatch("disk identifier " + got.label_id);
    if (got.partitions.size() != want.partitions.size())
        mismatch(std::to_string(got.partitions.size()) + " partitions instead of " +
                 std::to_string(want.partitions.size()));
    for (const auto& w : want.partitions) {
        const PartitionEntry* g = got.find(w.number);
        const std::string n = "partition " + std::to_string(w.number);
        if (!g) written_differs(target, n + " is missing");
        if (g->start != w.start || g->size != w.size)
            mismatch(n + " is at " + std::to_string(g->start) + "+" + std::to_string(g->size) + ", not " +
                     std::to_string(w.start) + "+" + std::to_string(w.size));
        if (g->type != w.type) mismatch(n + " has type " + g->type);
        if (g->bootable != w.bootable || g->name != w.name || g->attrs != w.attrs ||
            (!w.uuid.empty() && g->uuid != w.uuid))
            mismatch(n + " differs in its flags, name, attributes or GUID");
    }
}

}  // namespace

void write_partition_table(Device& target, const PartitionTable& table) {
    const std::uint32_t ss = table.sector_size;
    const std::uint32_t device_ss = device_sector_size(target, ss);
    if (device_ss != ss)
        throw Error(ExitCode::target_refused, target.path() + ": the disk has " + std::to_string(device_ss) +
                                                  "-byte sectors, the table " + std::to_string(ss) + "-byte sectors");
    const std::uint64_t disk_sectors = target.size() / ss;
    if (disk_sectors < 64) throw Error(ExitCode::target_refused, target.path() + ": too small for a partition table");
    std::uint64_t limit = disk_sectors;
    if (table.kind == TableKind::gpt) limit = disk_sectors - 1 - ptable::gpt_entry_sectors(table.gpt_entries, ss);
    for (const auto& p : table.partitions)
        if (p.end() > limit)
            throw Error(ExitCode::target_refused,
                        target.path() + ": partition " + std::to_string(p.number) + " (ends at sector " +
                            std::to_string(p.end() - 1) + ") does not fit on this disk of " +
                            std::to_string(disk_sectors) + " sectors");

    clear_stale_areas(target, table, disk_sectors);
    if (table.kind != TableKind::none) Writer(target, table).write();

    if (table.kind == TableKind::gpt && table.pmbr_boot) {
        // libfdisk writes a plain protective entry in the first slot; its active flag is
        // one byte.
        const std::uint8_t flag = 0x80;
        target.write_at(&flag, 1, ptable::mbr_entries);
    }
    target.sync();
    if (table.kind != TableKind::none) verify_written(target, table);
}

}  // namespace kura
