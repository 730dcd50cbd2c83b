// FAT12/16/32, read directly: no library reads a FAT the way an imager needs, and the format
// is small. The used set is what partclone.fat copies - the reserved area (boot sector, FSInfo,
// backup boot sector), every FAT copy, the FAT12/16 root directory, every cluster whose FAT
// entry is not free or bad, and the sectors after the last whole cluster - in blocks of one
// logical sector, so the streams interoperate with partclone.fat's.
#include "fs/fat_boot_sector.h"
#include "fs/fat_consistency.h"
#include "fs/filesystem.h"
#include "fs/repair_failure.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/device.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace kura {
namespace {

// FAT entries are decoded this many at a time: a FAT32 on a large volume is hundreds of MiB,
// read in 4 MiB requests per copy rather than all at once or one entry at a time. Even, so a
// batch of 12-bit entries starts on a byte boundary.
constexpr std::uint32_t entries_per_batch = 1u << 20;

// One batch of entries of one FAT copy, raw.
class FatBatch {
public:
    explicit FatBatch(unsigned bits) : bits_(bits) {}

    void read(const Device& device, std::uint64_t fat_offset, std::uint32_t first, std::uint32_t count) {
        first_ = first;
        const std::uint64_t begin = std::uint64_t(first) * bits_ / 8;
        const std::uint64_t end = (std::uint64_t(first + count) * bits_ + 7) / 8;
        bytes_.resize(end - begin);
        device.read_at(bytes_.data(), bytes_.size(), fat_offset + begin);
    }

    std::uint32_t entry(std::uint32_t index) const {
        const std::uint32_t i = index - first_;
        const std::uint8_t* b = bytes_.data();
        switch (bits_) {
            case 12: {
                const std::size_t at = std::size_t(i) * 3 / 2;
                const std::uint32_t pair = b[at] | (std::uint32_t(b[at + 1]) << 8);
                return (i & 1) ? pair >> 4 : pair & 0xFFF;
            }
            case 16: return b[2 * std::size_t(i)] | (std::uint32_t(b[2 * std::size_t(i) + 1]) << 8);
            default: {
                std::uint32_t v;
                std::memcpy(&v, b + 4 * std::size_t(i), 4);
                return v & 0x0FFFFFFF;  // the top four bits are reserved, not part of the value
            }
        }
    }

    bool same_bytes(const FatBatch& other) const { return bytes_ == other.bytes_; }

private:
    unsigned bits_;
    std::uint32_t first_ = 0;
    std::vector<std::uint8_t> bytes_;
};

// Inconsistencies that fsck.fat would repair. Without --fs-force the first one stops the
// save; with it, each is logged and the image is made as the volume is.
class Problems {
public:
    Problems(const std::string& path, bool force) : path_(path), force_(force) {}
    void report(const std::string& what) {
        if (!force_)
            throw Error(ExitCode::source_unsupported,
                        path_ + ": " + what + "; run `fsck.fat -a " + path_ +
                            "` first (or pass --fs-force to image it as it is)");
        log::warn(path_ + ": " + what + "; imaging it as it is (--fs-force)");
    }

private:
    std::string path_;
    bool force_;
};

// The clean-shutdown and no-I/O-error bits FAT16 and FAT32 keep in the reserved entry 1
// (partclone.fat refuses a volume without them too). FAT12 has no such bits.
void check_state_entry(const FatLayout& f, std::uint32_t entry1, Problems& problems) {
    if (f.fat_bits == 12) return;
    const std::uint32_t clean = f.fat_bits == 16 ? 0x8000 : 0x08000000;
    const std::uint32_t no_io_error = f.fat_bits == 16 ? 0x4000 : 0x04000000;
    if (!(entry1 & clean)) problems.report("its FAT says it was not unmounted cleanly");
    if (!(entry1 & no_io_error)) problems.report("its FAT records a disk I/O error");
}

class UsedClusterMarker {
public:
    UsedClusterMarker(const FatLayout& f, Bitmap& used) : f_(f), used_(used) {}
    // Clusters must come in ascending order; consecutive used ones become one range.
    void mark(std::uint32_t cluster) {
        if (run_length_ > 0 && cluster == run_start_ + run_length_) {
            ++run_length_;
            return;
        }
        flush();
        run_start_ = cluster;
        run_length_ = 1;
    }
    void flush() {
        if (run_length_ == 0) return;
        used_.set_range(f_.cluster_sector(run_start_), std::uint64_t(run_length_) * f_.sectors_per_cluster);
        run_length_ = 0;
    }

private:
    const FatLayout& f_;
    Bitmap& used_;
    std::uint32_t run_start_ = 0;
    std::uint32_t run_length_ = 0;
};

class FatReader : public FilesystemReader {
public:
    std::string name() const override { return "fat"; }
    std::vector<std::string> types() const override { return {"vfat"}; }

    // libblkid ignores a FAT whose boot sector geometry is damaged; when its signature and
    // type string are still there, name what is wrong instead of "no filesystem".
    std::string diagnose_unrecognised(const Device& device) const override {
        std::uint8_t sector[fat_boot_sector_bytes];
        if (device.size() < sizeof sector) return {};
        device.read_at(sector, sizeof sector, 0);
        const bool signed_sector = sector[510] == 0x55 && sector[511] == 0xAA;
        const bool fat_string = std::memcmp(sector + 0x36, "FAT1", 4) == 0 || std::memcmp(sector + 0x52, "FAT32", 5) == 0;
        if (!signed_sector || !fat_string) return {};
        try {
            parse_fat_boot_sector(sector, device.path());
        } catch (const Error& e) {
            std::string why = e.what();
            const std::string prefix = device.path() + ": ";
            if (why.compare(0, prefix.size(), prefix) == 0) why.erase(0, prefix.size());
            return why + " (`fsck.fat -a " + device.path() + "` may repair it)";
        }
        return {};
    }

    std::vector<std::string> repair_command(const std::string& path) const override {
        return {"fsck.fat", "-a", "-w", path};
    }

    std::string judge_repair(const std::string& label, const std::string& path,
                             const ToolResult& result) const override {
        // fsck.fat: 0 = nothing found; 1 = "recoverable errors detected" (repaired with -a)
        // but also "internal inconsistency" when it gave up; 2 = usage, nothing accessed.
        // So after a 1, a read-only check must find it clean.
        if (result.exit_status == 0) return "no errors";
        if (result.exit_status != 1) throw_repair_failure(label, repair_command(path), result, "failed");
        std::vector<std::string> recheck{"fsck.fat", "-n", path};
        ToolResult again = run_tool(recheck, ExitCode::source_unsupported);
        log::debug(command_text(recheck) + " (exit " + std::to_string(again.exit_status) + "):\n" + again.output);
        if (again.exit_status != 0)
            throw_repair_failure(label, recheck, again, "still finds errors after `fsck.fat -a -w`");
        return "errors found and corrected";
    }

    // No grow: a larger FAT needs larger FATs, which moves the whole data area, and kura
    // has no tool for that on its live system (dosfstools has no resizer).

    std::optional<RepositoryMount> repository_mount(const std::string&) const override {
        return RepositoryMount{{"vfat"}, "", false};
    }

    UsedBlockMap read_used_blocks(const std::string& path, const FsReadOptions& options) const override {
        Device device = Device::open(path, Access::read_only, Role::source);
        if (device.size() < fat_boot_sector_bytes)
            throw Error(ExitCode::source_unsupported, path + ": only " + std::to_string(device.size()) +
                                                          " bytes, too small to hold a FAT boot sector");
        std::uint8_t sector[fat_boot_sector_bytes];
        device.read_at(sector, sizeof sector, 0);
        const FatLayout f = parse_fat_boot_sector(sector, path);

        const std::uint64_t fs_bytes = f.total_sectors * f.bytes_per_sector;
        if (fs_bytes > device.size())
            throw Error(ExitCode::source_unsupported,
                        path + ": the FAT boot sector claims " + std::to_string(f.total_sectors) + " sectors (" +
                            std::to_string(fs_bytes) + " bytes) but the device has only " +
                            std::to_string(device.size()) + " bytes (truncated image or damaged boot sector)");

        Problems problems(path, options.force);
        if (f.boot_sector_dirty) problems.report("its boot sector says it was not unmounted cleanly");

        UsedBlockMap map;
        map.partclone_tag = f.type_name();
        map.block_size = f.bytes_per_sector;
        map.device_size = fs_bytes;
        map.used = Bitmap(f.total_sectors);
        // Reserved area, every FAT copy and the FAT12/16 root directory: all metadata, all kept.
        map.used.set_range(0, f.first_data_sector);
        // Sectors after the last whole cluster belong to no cluster; partclone.fat copies them
        // and so do we, so the two tools' streams carry the same set.
        const std::uint64_t clusters_end = f.cluster_sector(f.cluster_count + 2);
        if (clusters_end < f.total_sectors) map.used.set_range(clusters_end, f.total_sectors - clusters_end);

        mark_used_clusters(path, device, f, problems, map.used);
        const std::uint32_t read_copy = f.only_active_fat >= 0 ? static_cast<std::uint32_t>(f.only_active_fat) : 0;
        check_fat32_root_chain(path, device, f, read_copy);
        return map;
    }

private:
    // Walks entries 2 .. cluster_count+1 of every FAT copy in batches. Copies are compared
    // with the one the driver reads (the first, or FAT32's single active one); a cluster that
    // any copy calls in use is copied, so under --fs-force whichever copy fsck later keeps,
    // the data it points to is in the image.
    static void mark_used_clusters(const std::string& path, const Device& device, const FatLayout& f,
                                   Problems& problems, Bitmap& used) {
        const std::uint32_t primary = f.only_active_fat >= 0 ? static_cast<std::uint32_t>(f.only_active_fat) : 0;
        std::vector<std::uint32_t> others;
        if (f.only_active_fat < 0)
            for (std::uint32_t c = 1; c < f.fat_count; ++c) others.push_back(c);

        const std::uint32_t end = f.cluster_count + 2;
        const std::uint32_t bad = f.bad_cluster_mark();
        UsedClusterMarker marker(f, used);
        FatBatch main_fat(f.fat_bits), other_fat(f.fat_bits);
        bool copies_differ_reported = false;
        std::uint32_t out_of_range_reports = 0;

        for (std::uint32_t first = 0; first < end; first += std::min(entries_per_batch, end - first)) {
            const std::uint32_t count = std::min(entries_per_batch, end - first);
            main_fat.read(device, f.fat_start_sector(primary) * f.bytes_per_sector, first, count);
            if (first == 0) {
                check_fat_media_entry(path, f, main_fat.entry(0));
                check_state_entry(f, main_fat.entry(1), problems);
            }
            const std::uint32_t from = std::max<std::uint32_t>(first, 2);

            // Entries that are used in another copy but not in the main one, found only when
            // the copies differ at all (the common case is one memcmp per batch and copy).
            std::vector<std::uint32_t> extra_used;
            for (std::uint32_t copy : others) {
                other_fat.read(device, f.fat_start_sector(copy) * f.bytes_per_sector, first, count);
                if (other_fat.same_bytes(main_fat)) continue;
                for (std::uint32_t c = from; c < first + count; ++c) {
                    const std::uint32_t a = main_fat.entry(c), b = other_fat.entry(c);
                    if (a == b) continue;
                    if (!copies_differ_reported) {
                        copies_differ_reported = true;
                        problems.report("its FAT copies #" + std::to_string(primary + 1) + " and #" +
                                        std::to_string(copy + 1) + " disagree (first about cluster " +
                                        std::to_string(c) + ")");
                    }
                    if (b != 0 && b != bad) extra_used.push_back(c);
                }
            }
            std::sort(extra_used.begin(), extra_used.end());
            auto extra = extra_used.begin();

            for (std::uint32_t c = from; c < first + count; ++c) {
                const std::uint32_t v = main_fat.entry(c);
                bool in_use = v != 0 && v != bad;
                // A chain link must name another cluster or end the chain (values above the bad
                // mark); 1, or a number past the last cluster, means a damaged chain.
                if (in_use && (v == 1 || (v >= end && v < bad)) && out_of_range_reports++ == 0)
                    problems.report("the FAT entry of cluster " + std::to_string(c) + " points to cluster " +
                                    std::to_string(v) + ", outside the volume's clusters 2.." +
                                    std::to_string(end - 1));
                while (extra != extra_used.end() && *extra < c) ++extra;
                if (extra != extra_used.end() && *extra == c) in_use = true;
                if (in_use) marker.mark(c);
            }
        }
        marker.flush();
    }
};

}  // namespace

std::unique_ptr<FilesystemReader> make_fat_reader() { return std::make_unique<FatReader>(); }

}  // namespace kura
