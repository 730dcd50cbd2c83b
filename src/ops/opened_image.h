// An image directory opened once and checked whole, before anything is written: one
// listing (each entry's kind and size), one manifest parse, the `parts` list, every
// partition's data files and Partclone header (decoded once), and for savedisk images the
// `disk` file with each disk's table, size, boot code, gap and swap records. Everything an
// image says is data from outside: names must be plain names inside the directory, only
// regular files are read, each read is capped at what the file can hold, and a message
// names the image's file and never anything outside it (docs/image-format.md, "Opening an
// image"). restoreparts, restoredisk, checkimage, list-images and the menu's target needs
// all take this value instead of reading the directory themselves.
#pragma once

#include "device/probe.h"
#include "image/clonezilla_lvm.h"
#include "image/image_layout.h"
#include "image/manifest.h"
#include "image/partclone_header.h"
#include "ptable/partition_table.h"
#include "storage/repository.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kura {

struct ImagePart {
    DataFiles files;
    PartcloneHeader header;
};

// A disk as a savedisk image describes it - kura's or Clonezilla's.
struct SavedDisk {
    std::string name;                      // sda
    bool whole_disk = false;               // a filesystem without a table, imaged as `name`
    PartitionTable table;                  // kind none for a whole-disk filesystem
    std::vector<std::uint8_t> mbr;         // the first 512 bytes, if saved
    std::vector<std::uint8_t> gap;         // post-MBR or post-GPT-entries data, if saved
    std::uint64_t gap_start_sector = 1;
    std::map<int, ProbeResult> swaps;      // partition number -> UUID and label
    std::optional<ManifestDisk> recorded;  // kura images only
    std::uint64_t bytes = 0;               // the source disk's size, when known
};

// A logical volume of an LVM image (a line of lvm_logv.list): its data stream, or the
// record its swap is recreated from. Named in the image "VG-LV", as Clonezilla names it.
struct ImageLogicalVolume {
    std::string vg;
    std::string lv;
    std::string name;                // VolGroup00-LogVol00
    bool swap = false;
    ProbeResult swap_record;         // UUID and label from swappt-VG-LV.info, if there is one
    std::optional<ImagePart> data;   // nullopt for swap, and for an LV the image holds no data of
};

enum class OpenDepth {
    // The names and records only (listing, manifest, `parts`, `disk`): what list-images
    // shows for every image of a repository without reading any data file.
    metadata,
    // Everything a restore relies on: data files and their headers, partition tables.
    full,
};

class OpenedImage {
public:
    // Throws Error(usage) for a name that is no image name, Error(image_not_found) for a
    // missing image or one with neither `parts` nor a manifest, and Error(image_corrupt)
    // naming the file for anything damaged, forged or unfinished.
    static OpenedImage open(const Repository& repo, const std::string& image, OpenDepth depth = OpenDepth::full);

    const std::string& name() const { return name_; }
    const std::optional<Manifest>& manifest() const { return manifest_; }
    // A kura manifest vouched for every data file (names, sizes, SHA-256).
    bool complete_per_manifest() const { return manifest_.has_value(); }
    const std::vector<std::string>& part_names() const { return part_names_; }
    const std::vector<std::string>& disk_names() const { return disk_names_; }
    bool has_disk_file() const { return has_disk_file_; }
    // The directory's regular files and their sizes added up (symlinks and the rest count 0).
    std::uint64_t bytes() const;
    // The directory holds an entry of this name (one listing, no further read).
    bool has_file(const std::string& name) const;

    // OpenDepth::full only.
    const std::vector<ImagePart>& parts() const { return parts_; }
    std::string part_list() const;
    // Throws Error(usage) for an image saved with saveparts (it has no `disk` file).
    const std::vector<SavedDisk>& saved_disks() const;

    // LVM (Clonezilla's lvm_vg_dev.list, lvm_logv.list, lvm_<VG>.conf): empty for an image
    // without volume groups. A partition that is a physical volume has no data of its own:
    // its volume group is recreated and each logical volume restored into it.
    const ImageVolumeGroups& volume_groups() const { return volume_groups_; }
    bool is_physical_volume(const std::string& part) const { return volume_groups_.is_pv_partition(part); }
    // OpenDepth::full only.
    const std::vector<ImageLogicalVolume>& logical_volumes() const { return logical_volumes_; }
    // Every data stream a restore reads, partitions first, then logical volumes: what
    // checkimage and --check verify.
    std::vector<const ImagePart*> streams() const;

private:
    std::string name_;
    std::vector<DirEntry> entries_;
    std::optional<Manifest> manifest_;
    std::vector<std::string> part_names_;
    std::vector<std::string> disk_names_;
    bool has_disk_file_ = false;
    std::vector<ImagePart> parts_;
    std::vector<SavedDisk> disks_;
    ImageVolumeGroups volume_groups_;
    std::vector<ImageLogicalVolume> logical_volumes_;
    friend class ImageOpener;
};

// True for a name that can only mean a file inside the image directory: not empty, not
// "." or "..", no '/', no control characters.
bool is_plain_file_name(const std::string& name);

}  // namespace kura
