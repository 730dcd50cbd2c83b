#include "ops/target_needs.h"

#include "ops/restore_volumes.h"
#include "ptable/partition_table.h"

namespace kura {

std::uint64_t partition_needed_bytes(const ImagePart& part, const std::optional<Manifest>& manifest,
                                     std::uint64_t saved_partition_bytes) {
    if (part.header.device_size > 0) return part.header.device_size;
    if (manifest)
        if (const ManifestPart* m = manifest->find(part.files.part)) return m->device_bytes;
    return saved_partition_bytes;
}

std::uint64_t partition_data_bytes(const ImagePart& part, const std::optional<Manifest>& manifest,
                                   std::uint64_t saved_partition_bytes) {
    if (part.files.fs_type == "dd") return partition_needed_bytes(part, manifest, saved_partition_bytes);
    return part.header.used_blocks * part.header.block_size;
}

std::vector<TargetNeed> disk_target_needs(const OpenedImage& image) {
    const std::optional<Manifest>& manifest = image.manifest();
    std::vector<TargetNeed> needs;
    for (const SavedDisk& disk : image.saved_disks()) {
        TargetNeed need;
        need.name = disk.name;
        need.source_bytes = disk.bytes;
        if (disk.recorded) {
            need.source = (disk.recorded->model.empty() ? "" : disk.recorded->model + ", ") + disk.recorded->identity;
            need.source_identity = disk.recorded->identity;
        }
        if (disk.whole_disk) {
            // restore_disk writes a table-less disk's filesystem straight onto the target.
            for (const auto& p : image.parts())
                if (p.files.part == disk.name) {
                    need.fs_type = p.files.fs_type;
                    need.min_bytes = partition_needed_bytes(p, manifest, disk.bytes);
                }
        } else {
            need.min_bytes = min_target_sectors(disk.table) * disk.table.sector_size;
        }
        needs.push_back(need);
    }
    return needs;
}

std::vector<TargetNeed> partition_target_needs(const OpenedImage& image) {
    const std::optional<Manifest>& manifest = image.manifest();
    std::vector<TargetNeed> needs;
    std::size_t next_part = 0;
    for (const auto& name : image.part_names()) {
        if (image.is_physical_volume(name)) {
            // Its logical volumes are restored into the volume group recreated on it.
            TargetNeed need;
            need.name = name;
            need.fs_type = "LVM2_member";
            need.min_bytes = need.source_bytes = physical_volume_needed_bytes(image, name);
            needs.push_back(need);
            continue;
        }
        const ImagePart& p = image.parts().at(next_part++);
        TargetNeed need;
        need.name = p.files.part;
        need.fs_type = p.files.fs_type;
        need.min_bytes = partition_needed_bytes(p, manifest, 0);
        need.source_bytes = need.min_bytes;
        if (manifest)
            if (const ManifestPart* m = manifest->find(p.files.part)) need.source_bytes = m->device_bytes;
        needs.push_back(need);
    }
    return needs;
}

}  // namespace kura
