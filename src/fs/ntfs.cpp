// NTFS through libntfs-3g (the library behind ntfs-3g, ntfsclone and partclone.ntfs): the
// used clusters come from the volume's own $Bitmap, read with the volume opened read-only.
//
// Beyond what Partclone copies, the backup boot sector - the sector right after the volume's
// last sector, at the very end of the partition - is always part of the image (partclone
// has lost it: partclone#54, #69), so a restored volume passes chkdsk and ntfsfix's
// alternate-boot-sector check. Layout choices: docs/image-format.md ("NTFS streams").
//
// $Bitmap is trusted only after the system files' clusters were found in it
// (fs/ntfs_consistency.cpp).
#include "fs/filesystem.h"
#include "fs/ntfs_boot_sector.h"
#include "fs/ntfs_consistency.h"
#include "fs/ntfs_relocation.h"
#include "fs/repair_failure.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/device.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include <sys/stat.h>  // defines st_mtime, which stops ntfstime.h redefining struct timespec

// libntfs-3g's C headers come last: support.h defines min() and max() macros that would
// break the C++ library headers, so they are removed right after.
extern "C" {
#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/logging.h>
#include <ntfs-3g/volume.h>
}
#undef min
#undef max

namespace kura {
namespace {

constexpr std::size_t kBitmapChunk = 1u << 20;

// libntfs-3g prints to stderr by default; its messages belong in kura's log instead.
int log_through_kura(const char* /*function*/, const char* /*file*/, int /*line*/, u32 level, void* /*data*/,
                     const char* format, va_list args) {
    char text[1024];
    int n = std::vsnprintf(text, sizeof text, format, args);
    std::string line(text);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.empty()) return n;
    if (level & (NTFS_LOG_LEVEL_ERROR | NTFS_LOG_LEVEL_PERROR | NTFS_LOG_LEVEL_CRITICAL))
        log::warn("libntfs-3g: " + line);
    else
        log::debug("libntfs-3g: " + line);
    return n;
}

void route_library_messages() {
    static std::once_flag once;
    std::call_once(once, [] {
        ntfs_log_set_handler(log_through_kura);
        ntfs_log_clear_levels(NTFS_LOG_LEVEL_ENTER | NTFS_LOG_LEVEL_LEAVE | NTFS_LOG_LEVEL_TRACE);
    });
}

struct VolumeCloser {
    void operator()(ntfs_volume* vol) const { ntfs_umount(vol, FALSE); }
};
using Volume = std::unique_ptr<ntfs_volume, VolumeCloser>;

[[noreturn]] void unsupported(const std::string& path, const std::string& what) {
    throw Error(ExitCode::source_unsupported, path + ": " + what);
}

std::string damaged_boot_sector(const std::string& path, const std::string& problem) {
    return "not a readable NTFS volume: " + problem + " (`ntfsfix " + path +
           "` can rebuild the boot sector from its backup at the end of the partition)";
}

NtfsBootSector read_boot_sector(const std::string& path, const Device& device) {
    std::uint8_t sector[ntfs_boot_sector_size];
    if (device.size() < sizeof sector) unsupported(path, "too small to hold an NTFS boot sector");
    device.read_at(sector, sizeof sector, 0);
    std::string problem;
    auto boot = parse_ntfs_boot_sector(sector, problem);
    if (!boot) unsupported(path, damaged_boot_sector(path, problem));
    if (boot->backup_offset() + boot->bytes_per_sector > device.size())
        unsupported(path, "the NTFS volume claims " + std::to_string(boot->backup_offset() + boot->bytes_per_sector) +
                              " bytes but the device holds only " + std::to_string(device.size()) +
                              " (was the partition or the image file cut short?)");
    return *boot;
}

// What is wrong with a volume Windows did not leave consistent, and how to fix it in
// Windows; empty when it is clean.
struct UncleanState {
    std::string problem, fix;
};

UncleanState unclean_state(const std::string& path, ntfs_volume* vol) {
    if (ntfs_volume_check_hiberfile(vol, 0) < 0) {
        if (errno != EPERM) unsupported(path, std::string("cannot read hiberfil.sys: ") + std::strerror(errno));
        return {"Windows is hibernated on it, or was shut down with Fast Startup (hiberfil.sys holds a "
                "saved session); an image of it would lose that session's changes or damage them",
                "boot Windows and shut it down fully (hold Shift while choosing Shut down, or run "
                "`shutdown /s /t 0`; to stop it recurring, turn off Fast Startup or run `powercfg /h off`)"};
    }
    if (vol->flags & VOLUME_IS_DIRTY)
        return {"the volume is marked dirty (Windows found or suspected errors, or it was not shut down cleanly)",
                "boot Windows and run `chkdsk /f` on this volume (then shut down fully)"};
    return {};
}

// Opened read-only and forensic: libntfs-3g must not reset the journal or touch any flag.
Volume open_forensic(const std::string& path) {
    errno = 0;
    Volume vol(ntfs_mount(path.c_str(), NTFS_MNT_RDONLY | NTFS_MNT_FORENSIC | NTFS_MNT_IGNORE_HIBERFILE));
    if (!vol) {
        int err = errno;
        unsupported(path, std::string("libntfs-3g cannot open the NTFS volume: ") + std::strerror(err) +
                              " (run `chkdsk /f` on it in Windows, or `ntfsfix -n " + path + "` to see why)");
    }
    return vol;
}

// Refuses a volume Windows did not leave consistent, unless the operator insists.
void refuse_unclean(const std::string& path, ntfs_volume* vol, const FsReadOptions& options) {
    const UncleanState state = unclean_state(path, vol);
    if (state.problem.empty()) return;
    if (!options.ntfs_force)
        unsupported(path, state.problem + ". To fix it: " + state.fix + ". Or pass --ntfs-force to image it as it is.");
    log::warn(path + ": imaging anyway because of --ntfs-force: " + state.problem);
}

// Marks the clusters set in $Bitmap, `unit` bytes per image block.
void mark_used_clusters(const std::string& path, ntfs_volume* vol, std::uint32_t unit, Bitmap& used) {
    const std::uint64_t clusters = static_cast<std::uint64_t>(vol->nr_clusters);
    const std::uint64_t per_cluster = vol->cluster_size / unit;
    std::vector<std::uint8_t> chunk(kBitmapChunk);
    std::uint64_t run_start = 0, run_length = 0;
    auto flush_run = [&] {
        if (run_length) used.set_range(run_start * per_cluster, run_length * per_cluster);
        run_length = 0;
    };
    for (std::uint64_t first = 0; first < clusters; first += kBitmapChunk * 8) {
        const std::uint64_t bytes = std::min<std::uint64_t>(kBitmapChunk, (clusters - first + 7) / 8);
        s64 got = ntfs_attr_pread(vol->lcnbmp_na, static_cast<s64>(first / 8), static_cast<s64>(bytes), chunk.data());
        if (got != static_cast<s64>(bytes))
            unsupported(path, "cannot read the cluster bitmap ($Bitmap) at byte " + std::to_string(first / 8));
        for (std::uint64_t i = 0; i < bytes; ++i) {
            const std::uint8_t byte = chunk[i];
            const std::uint64_t base = first + i * 8;
            if (byte == 0 || byte == 0xFF) {  // the common cases, a whole byte at once
                const std::uint64_t n = std::min<std::uint64_t>(8, clusters - base);
                if (byte == 0) {
                    flush_run();
                } else {
                    if (!run_length) run_start = base;
                    run_length += n;
                }
                continue;
            }
            for (unsigned bit = 0; bit < 8 && base + bit < clusters; ++bit) {
                if (byte & (1u << bit)) {
                    if (!run_length) run_start = base + bit;
                    ++run_length;
                } else {
                    flush_run();
                }
            }
        }
    }
    flush_run();
}

class NtfsReader : public FilesystemReader {
public:
    std::string name() const override { return "ntfs"; }
    std::vector<std::string> types() const override { return {"ntfs"}; }

    UsedBlockMap read_used_blocks(const std::string& path, const FsReadOptions& options) const override {
        route_library_messages();
        const NtfsBootSector boot = read_boot_sector(path, Device::open(path, Access::read_only, Role::source));

        Volume vol = open_forensic(path);
        refuse_unclean(path, vol.get(), options);
        if (vol->cluster_size != boot.cluster_size)
            unsupported(path, "the boot sector and libntfs-3g disagree on the cluster size");

        // The stream covers the volume and its backup boot sector. Whole clusters when
        // that sector's cluster fits on the device (any partition sized in whole
        // clusters, as every partitioning tool makes them); sectors otherwise.
        const std::uint64_t device_size = Device::open(path, Access::read_only, Role::source).size();
        const std::uint64_t covered = boot.backup_offset() + boot.bytes_per_sector;
        std::uint32_t unit = boot.cluster_size;
        if ((covered + unit - 1) / unit * unit > device_size) unit = boot.bytes_per_sector;
        const std::uint64_t total = (covered + unit - 1) / unit;
        if (static_cast<std::uint64_t>(vol->nr_clusters) * boot.cluster_size > covered)
            unsupported(path, "the volume's clusters reach past its backup boot sector; the boot sector is damaged");

        UsedBlockMap map;
        map.partclone_tag = "NTFS";
        map.block_size = unit;
        map.device_size = total * unit;
        map.used = Bitmap(total);
        check_ntfs_bitmap_size(path, vol.get());
        mark_used_clusters(path, vol.get(), unit, map.used);
        check_ntfs_system_files_used(path, vol.get(), unit, map.used);
        // Boot sector (cluster 0 is always in $Bitmap, but be explicit) and backup boot sector.
        map.used.set(0);
        map.used.set(boot.backup_offset() / unit);
        return map;
    }

    std::string diagnose_unrecognised(const Device& device) const override {
        std::uint8_t sector[ntfs_boot_sector_size];
        if (device.size() < sizeof sector) return {};
        device.read_at(sector, sizeof sector, 0);
        std::string problem;
        if (std::memcmp(sector + 3, "NTFS    ", 8) == 0) {
            if (parse_ntfs_boot_sector(sector, problem)) return {};
            return damaged_boot_sector(device.path(), problem);
        }
        // No boot sector at all, but perhaps its backup in the partition's last sector.
        device.read_at(sector, sizeof sector, device.size() / ntfs_boot_sector_size * ntfs_boot_sector_size -
                                                  ntfs_boot_sector_size);
        if (!parse_ntfs_boot_sector(sector, problem)) return {};
        return "its NTFS boot sector is gone, but the backup boot sector at the end of the partition is intact (`ntfsfix " +
               device.path() + "` can rebuild the boot sector from it)";
    }

    void after_restore(Device& target, std::optional<std::uint64_t> start_sector) const override {
        if (start_sector) relocate_ntfs_boot_sectors(target, *start_sector);
    }

    // ntfsfix without -d marks the volume dirty to have Windows run chkdsk, and kura
    // refuses a dirty volume: the repair would defeat itself.
    std::vector<std::string> repair_command(const std::string& path) const override {
        return {"ntfsfix", "-d", path};
    }

    std::string judge_repair(const std::string& label, const std::string& path,
                             const ToolResult& result) const override {
        // ntfsfix: 0 = done, 1 = it could not fix or mount the volume.
        if (result.exit_status != 0) throw_repair_failure(label, repair_command(path), result, "could not repair it");
        return "repaired by ntfsfix (its journal reset)";  // it always resets the journal
    }

    bool grows() const override { return true; }

    void grow(const std::string& path) const override {
        // An image saved with --ntfs-force of a hibernated or dirty volume: ntfsresize would
        // resize it all the same (and reset its journal), and a Windows resuming from
        // hibernation onto a resized volume damages it. Only Windows can make it clean.
        {
            route_library_messages();
            Volume vol = open_forensic(path);
            if (const UncleanState state = unclean_state(path, vol.get()); !state.problem.empty()) {
                log::warn(path + ": ntfs is left at its saved size inside the grown partition: " + state.problem +
                          ". To grow it: " + state.fix + ", then extend it in Disk Management");
                return;
            }
        }  // closed before ntfsresize opens it
        // A test run first, as ntfsresize's manual asks: it checks the volume and the resize
        // constraints without writing, so a volume it would refuse is left exactly as it was
        // restored. --force skips its question: there is no one to answer it.
        const std::vector<std::string> test_run{"ntfsresize", "--no-action", "--force", path};
        ToolResult r = run_tool(test_run, ExitCode::io_error);
        if (r.exit_status != 0)
            throw Error(ExitCode::io_error, path + ": `" + command_text(test_run) + "` says the NTFS cannot grow (exit " +
                                                std::to_string(r.exit_status) +
                                                "); it was restored at its saved size and left so. Its output:\n" +
                                                r.output);
        run_tool_checked({"ntfsresize", "--force", path}, ExitCode::io_error);
        log::info(path + ": ntfsresize marked the grown NTFS for a consistency check; Windows runs chkdsk on it at "
                         "its next boot (until then kura saves it only with --ntfs-force)");
    }

    std::optional<RepositoryMount> repository_mount(const std::string&) const override {
        // Debian 12's kernel (the live ISO's) has no ntfs3: ntfs-3g mounts it over FUSE.
        return RepositoryMount{{"ntfs3"}, "ntfs-3g", false};
    }
};

}  // namespace

std::unique_ptr<FilesystemReader> make_ntfs_reader() { return std::make_unique<NtfsReader>(); }

}  // namespace kura
