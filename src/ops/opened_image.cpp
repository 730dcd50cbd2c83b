#include "ops/opened_image.h"

#include "core/error.h"
#include "device/partition_name.h"
#include "image/clonezilla_md.h"
#include "image/clonezilla_metadata.h"
#include "image/image_name.h"
#include "pipeline/stream_decode.h"
#include "ptable/clonezilla_table_files.h"
#include "ptable/table_validation.h"

#include <algorithm>
#include <limits>
#include <sstream>

namespace kura {
namespace {

// What each metadata file can hold at most. They are small text files; a larger one is
// damage (or an attempt to make a live system that runs from RAM read gigabytes).
constexpr std::size_t kManifestCap = 4u << 20;  // 676 pieces per partition with digests fit many times
constexpr std::size_t kPartsCap = 64u << 10;
constexpr std::size_t kDiskCap = 4u << 10;
constexpr std::size_t kTableTextCap = 1u << 20;  // -pt.sf, -pt.parted: 4096 GPT entries fit
constexpr std::size_t kSwapInfoCap = 4u << 10;
// Clonezilla's LVM lists (image/clonezilla_lvm.h).
constexpr const char* kLvmPvListFile = "lvm_vg_dev.list";
constexpr const char* kLvmLvListFile = "lvm_logv.list";
constexpr std::size_t kBootRecordBytes = 512;    // -mbr: `dd bs=512 count=1`
constexpr std::uint64_t kMaxGapBytes = 1024ull << 20;  // savedisk never saves a larger gap

std::vector<std::string> words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

// A name as a message may show it: control characters from a forged file never reach
// the terminal.
std::string shown(const std::string& name) {
    std::string out;
    for (char c : name.substr(0, 80)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return out + (name.size() > 80 ? "..." : "");
}

}  // namespace

bool is_plain_file_name(const std::string& name) {
    if (name.empty() || name == "." || name == ".." || name.size() > 255) return false;
    for (char c : name)
        if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    return true;
}

// Does the opening; a class so every step shares the image, its listing and the way
// messages name files.
class ImageOpener {
public:
    ImageOpener(const Repository& repo, OpenedImage& image) : repo_(repo), image_(image) {}

    void open(OpenDepth depth) {
        image_.entries_ = repo_.list_entries(image_.name_);
        read_manifest_file();
        read_parts(depth);
        read_disk_file();
        if (present(kLvmPvListFile)) image_.volume_groups_ = read_image_volume_groups(repo_, image_.name_);
        if (depth == OpenDepth::metadata) return;
        if (image_.manifest_ && !image_.manifest_->complete)
            throw Error(ExitCode::image_corrupt, "image " + image_.name_ + " was never finished; it cannot be restored");
        for (const auto& name : image_.part_names_)
            if (!image_.is_physical_volume(name)) image_.parts_.push_back(open_part(name));
        for (const auto& line : image_.volume_groups_.lvs) image_.logical_volumes_.push_back(open_logical_volume(line));
        if (image_.has_disk_file_) {
            for (const auto& name : image_.disk_names_) image_.disks_.push_back(open_disk(name));
            check_every_part_has_a_disk();
        }
    }

private:
    std::string label(const std::string& file) const { return image_.name_ + "/" + file; }

    [[noreturn]] void damaged(const std::string& file, const std::string& why) const {
        throw Error(ExitCode::image_corrupt, label(file) + ": " + why);
    }

    const EntryInfo* find(const std::string& file) const {
        for (const auto& e : image_.entries_)
            if (e.name == file) return &e.info;
        return nullptr;
    }

    bool present(const std::string& file) const { return find(file) != nullptr; }

    // The entry must be a regular file of at most `cap` bytes; the answer is its size.
    std::uint64_t regular_within(const std::string& file, std::uint64_t cap, const std::string& what) const {
        const EntryInfo* info = find(file);
        if (!info) damaged(file, "it is missing");
        if (info->kind != FileKind::regular) throw_not_regular_file(label(file));
        if (info->bytes > cap)
            damaged(file, "it has " + std::to_string(info->bytes) + " bytes, more than the " + std::to_string(cap) +
                              " bytes " + what + " can hold");
        return info->bytes;
    }

    std::string read_capped(const std::string& file, std::uint64_t cap, const std::string& what) const {
        // The buffer is the size the listing gave (within the cap), never the cap itself.
        const std::size_t listed = static_cast<std::size_t>(regular_within(file, cap, what));
        // One byte more is asked for, so a file that grew since the listing is caught too.
        std::string text = read_text_file(repo_, image_.name_ + "/" + file, listed + 1);
        if (text.size() != listed) damaged(file, "it changed while it was being read");
        return text;
    }

    // Runs a parser of a metadata file; whatever it cannot read is damage in that file.
    template <typename Parse>
    auto parsed(const std::string& file, Parse parse) const -> decltype(parse()) {
        try {
            return parse();
        } catch (const Error& e) {
            if (e.code() == ExitCode::cancelled) throw;
            damaged(file, e.what());
        } catch (const std::exception& e) {
            damaged(file, e.what());
        }
    }

    void read_manifest_file() {
        if (!present(kManifestFile)) return;
        std::string text = read_capped(kManifestFile, kManifestCap, "a manifest");
        Manifest m = parsed(kManifestFile, [&] { return Manifest::parse(text); });
        // Every name is checked before anything is looked up under it.
        for (const auto& d : m.disks)
            if (!is_valid_part_name(d.name)) damaged(kManifestFile, "'" + shown(d.name) + "' is not a disk name");
        for (const auto& p : m.parts) {
            if (!is_valid_part_name(p.name)) damaged(kManifestFile, "'" + shown(p.name) + "' is not a partition name");
            for (const auto& f : p.files)
                if (!is_plain_file_name(f.name) || f.name.rfind(p.name + ".", 0) != 0)
                    damaged(kManifestFile, "partition " + p.name + " lists the file '" + shown(f.name) +
                                               "', which is not one of its data files inside the image directory");
        }
        image_.manifest_ = std::move(m);
    }

    void read_parts(OpenDepth depth) {
        if (!present(kPartsFile)) {
            // A listing still shows what a manifest says of an image without `parts`.
            if (image_.manifest_ && depth == OpenDepth::metadata) {
                for (const auto& p : image_.manifest_->parts) image_.part_names_.push_back(p.name);
                return;
            }
            throw Error(ExitCode::image_not_found, repo_.describe() + "/" + image_.name_ +
                                                       ": not a Clonezilla or kura image (it has no 'parts' file)");
        }
        for (const auto& name : words(read_capped(kPartsFile, kPartsCap, "a partition list"))) {
            if (!is_valid_part_name(name)) damaged(kPartsFile, "'" + shown(name) + "' is not a partition name");
            if (std::find(image_.part_names_.begin(), image_.part_names_.end(), name) != image_.part_names_.end())
                damaged(kPartsFile, "it names partition " + name + " twice");
            image_.part_names_.push_back(name);
        }
        if (image_.part_names_.empty()) damaged(kPartsFile, "it lists no partitions");
    }

    void read_disk_file() {
        if (!present("disk")) return;
        image_.has_disk_file_ = true;
        for (const auto& name : words(read_capped("disk", kDiskCap, "a disk list"))) {
            if (!is_valid_part_name(name))
                damaged("disk", "'" + shown(name) + "' is not a disk name (a plain name inside the image directory)");
            image_.disk_names_.push_back(name);
        }
        if (image_.disk_names_.empty()) damaged("disk", "it names no disk");
    }

    ImagePart open_part(const std::string& name) {
        std::vector<std::string> names;
        for (const auto& e : image_.entries_) names.push_back(e.name);
        ImagePart part;
        const ManifestPart* recorded = nullptr;
        if (image_.manifest_) {
            recorded = image_.manifest_->find(name);
            if (!recorded) damaged(kPartsFile, "partition " + name + " is in 'parts' but not in the manifest");
            // First: names a missing or short file exactly (a missing piece is damage, exit 4).
            check_recorded_files(*recorded);
        }
        part.files = find_data_files_in(names, repo_.describe() + "/" + image_.name_, name);
        if (recorded) {
            check_no_other_pieces(part.files, *recorded);
            attach_checksums(part.files, *recorded);
        }
        for (const auto& piece : part.files.names) {
            const EntryInfo* info = find(piece);
            if (!info || info->kind != FileKind::regular) throw_not_regular_file(label(piece));
        }
        part.header = read_stream_header(repo_, image_.name_, part.files);
        return part;
    }

    // An LV's data stream ("VG-LV.<fs>-ptcl-img.*"), or for a swap LV its record. An LV
    // with neither is one the save found nothing to copy of (Clonezilla skips an LV it
    // cannot see); the restore leaves it as vgcfgrestore made it, and says so.
    ImageLogicalVolume open_logical_volume(const LvmLvLine& line) {
        ImageLogicalVolume lv;
        lv.vg = line.vg;
        lv.lv = line.lv;
        lv.name = lvm_image_name(line.vg, line.lv);
        if (!is_valid_part_name(lv.name))
            damaged(kLvmLvListFile, "'" + shown(lv.name) + "' is not a name a logical volume's data can have");
        lv.swap = line.is_swap();
        if (lv.swap) {
            const std::string record = "swappt-" + lv.name + ".info";
            if (present(record)) {
                std::string text = read_capped(record, kSwapInfoCap, "a swap record");
                lv.swap_record = parsed(record, [&] { return parse_swap_info(text); });
            }
            return lv;
        }
        const bool recorded = image_.manifest_ && image_.manifest_->find(lv.name);
        const bool has_stream = std::any_of(image_.entries_.begin(), image_.entries_.end(), [&](const DirEntry& e) {
            return e.name.rfind(lv.name + ".", 0) == 0 && e.name.find("-img") != std::string::npos;
        });
        if (image_.manifest_ && !recorded && has_stream)
            damaged(kManifestFile, "logical volume " + line.vg + "/" + line.lv + " has data in the image but not in the manifest");
        if (recorded || has_stream) lv.data = open_part(lv.name);
        return lv;
    }

    // With a manifest, the stream is exactly the pieces it lists: each there with its
    // recorded size, and no other piece of the partition beside them.
    void check_recorded_files(const ManifestPart& recorded) const {
        if (recorded.files.empty()) damaged(kManifestFile, "partition " + recorded.name + " lists no data files");
        for (const auto& f : recorded.files) {
            const EntryInfo* info = find(f.name);
            if (!info)
                throw Error(ExitCode::image_corrupt, recorded.name + ": data file " + f.name + " is missing from the image");
            if (info->kind != FileKind::regular) throw_not_regular_file(label(f.name));
            if (info->bytes != f.bytes)
                throw Error(ExitCode::image_corrupt, recorded.name + ": data file " + f.name + " has " +
                                                         std::to_string(info->bytes) + " bytes, but " +
                                                         std::to_string(f.bytes) +
                                                         " were written (truncated or damaged copy)");
        }
    }

    void check_no_other_pieces(const DataFiles& files, const ManifestPart& recorded) const {
        for (const auto& name : files.names)
            if (std::none_of(recorded.files.begin(), recorded.files.end(), [&](const StoredFile& f) { return f.name == name; }))
                damaged(name, "a piece of partition " + recorded.name +
                                  " that the manifest does not list (an extra or stray piece is damage)");
        std::vector<std::string> listed;
        for (const auto& f : recorded.files) listed.push_back(f.name);
        if (listed != files.names)
            damaged(kManifestFile, "the data files of partition " + recorded.name + " are not listed in stream order");
    }

    SavedDisk open_disk(const std::string& name) {
        SavedDisk d;
        d.name = name;
        if (image_.manifest_)
            if (const ManifestDisk* r = image_.manifest_->find_disk(name)) {
                d.recorded = *r;
                d.bytes = r->bytes;
            }
        const std::string sf = name + "-pt.sf", parted = name + "-pt.parted";
        if (!present(sf)) {
            const auto& parts = image_.part_names_;
            if (std::find(parts.begin(), parts.end(), name) == parts.end())
                throw Error(ExitCode::image_corrupt, "image " + image_.name_ + ": " + sf +
                                                         " (the partition table of disk " + name + ") is missing");
            d.whole_disk = true;
            return d;
        }
        std::string sf_text = read_capped(sf, kTableTextCap, "a partition table dump");
        d.table = parsed(sf, [&] { return parse_sfdisk_dump(sf_text); });
        if (present(parted)) {
            std::string parted_text = read_capped(parted, kTableTextCap, "a parted listing");
            d.table.disk_sectors = parsed(parted, [&] { return parted_disk_sectors(parted_text); });
            if (d.table.disk_sectors > std::numeric_limits<std::uint64_t>::max() / d.table.sector_size)
                damaged(parted, "the disk size overflows");
            d.bytes = d.table.disk_sectors * d.table.sector_size;
        } else if (d.bytes > 0) {
            d.table.disk_sectors = d.bytes / d.table.sector_size;
        } else {
            throw Error(ExitCode::image_corrupt, "image " + image_.name_ + ": " + parted +
                                                     " (it gives the size of disk " + name + ") is missing");
        }
        // Now that the saved disk's size is known: every partition inside it.
        parsed(sf, [&] {
            validate_partition_table(d.table);
            return true;
        });
        if (present(name + "-mbr")) {
            std::string mbr = read_capped(name + "-mbr", kBootRecordBytes, "a boot record");
            d.mbr.assign(mbr.begin(), mbr.end());
        }
        d.gap_start_sector = d.table.kind == TableKind::gpt ? gpt_entries_end_sector(d.table) : 1;
        const std::string gap = name + (d.table.kind == TableKind::gpt ? "-hidden-data-after-gpt" : "-hidden-data-after-mbr");
        if (present(gap)) {
            // The gap file holds what lies between the table and the first partition, no more.
            const std::uint64_t first = d.table.first_partition_start();
            const std::uint64_t sectors = first > d.gap_start_sector ? first - d.gap_start_sector : 0;
            const std::uint64_t room = sectors > kMaxGapBytes / d.table.sector_size ? kMaxGapBytes
                                                                                    : sectors * d.table.sector_size;
            std::string bytes = read_capped(gap, room, "the space between the partition table and the first partition");
            d.gap.assign(bytes.begin(), bytes.end());
        }
        const std::string prefix = "swappt-", suffix = ".info";
        for (const auto& e : image_.entries_) {
            const std::string& file = e.name;
            if (file.rfind(prefix, 0) != 0 || file.size() <= prefix.size() + suffix.size() ||
                file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
                continue;
            std::string part = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
            if (auto number = partition_number(name, part)) {
                std::string text = read_capped(file, kSwapInfoCap, "a swap record");
                d.swaps[*number] = parsed(file, [&] { return parse_swap_info(text); });
            }
        }
        return d;
    }

    void check_every_part_has_a_disk() const {
        std::string disk_list;
        for (const auto& d : image_.disks_) disk_list += (disk_list.empty() ? "" : " ") + d.name;
        for (const auto& part : image_.part_names_) {
            bool placed = std::any_of(image_.disks_.begin(), image_.disks_.end(), [&](const SavedDisk& d) {
                return (d.whole_disk && d.name == part) || (!d.whole_disk && partition_number(d.name, part));
            });
            // An md array's filesystem (ops/restore_md.h) is on no disk: its members are.
            placed = placed || std::any_of(image_.entries_.begin(), image_.entries_.end(), [&](const DirEntry& e) {
                         return e.name == md_config_file_name(part);
                     });
            if (!placed)
                throw Error(ExitCode::image_corrupt, "partition " + part + " is in the image but belongs to none of its disks (" +
                                                         disk_list + ")");
        }
    }

    const Repository& repo_;
    OpenedImage& image_;
};

bool OpenedImage::has_file(const std::string& name) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const DirEntry& e) { return e.name == name; });
}

OpenedImage OpenedImage::open(const Repository& repo, const std::string& image, OpenDepth depth) {
    if (image.empty() || image.find('/') != std::string::npos || image[0] == '.' || !is_plain_file_name(image))
        throw Error(ExitCode::usage, "'" + shown(image) + "' is not an image name");
    if (repo.entry_info(image).kind != FileKind::directory)
        throw Error(ExitCode::image_not_found, "no image named " + image + " in " + repo.describe());
    OpenedImage opened;
    opened.name_ = image;
    ImageOpener(repo, opened).open(depth);
    return opened;
}

std::uint64_t OpenedImage::bytes() const {
    std::uint64_t total = 0;
    for (const auto& e : entries_) total += e.info.bytes;
    return total;
}

std::vector<const ImagePart*> OpenedImage::streams() const {
    std::vector<const ImagePart*> all;
    for (const auto& p : parts_) all.push_back(&p);
    for (const auto& lv : logical_volumes_)
        if (lv.data) all.push_back(&*lv.data);
    return all;
}

std::string OpenedImage::part_list() const {
    std::string s;
    for (const auto& p : parts_) s += (s.empty() ? "" : " ") + p.files.part;
    return s;
}

const std::vector<SavedDisk>& OpenedImage::saved_disks() const {
    if (!has_disk_file_)
        throw Error(ExitCode::usage, "image " + name_ +
                                         " holds partitions, not whole disks (it has no `disk` file): restore it "
                                         "with `kura restoreparts`");
    return disks_;
}

}  // namespace kura
