// `<disk>-chs.sf`: the BIOS geometry Clonezilla records beside the table. ocs-sr writes
// the numbers `sfdisk -g` prints; since util-linux 2.26 that is libfdisk's geometry, which
// is 255 heads x 63 sectors/track unless the kernel driver reports one, with cylinders
// the disk's logical sectors over 255*63. Restore uses the file only to tell old sfdisk
// versions (-C -H -S) and to patch an NTFS boot sector's geometry fields.
#include "ptable/clonezilla_table_files.h"

namespace kura {

std::string chs_sf_text(std::uint64_t disk_sectors, std::uint32_t /*sector_size*/) {
    const std::uint64_t heads = 255, per_track = 63;
    return "cylinders=" + std::to_string(disk_sectors / (heads * per_track)) + "\nheads=" + std::to_string(heads) +
           "\nsectors=" + std::to_string(per_track) + "\n";
}

}  // namespace kura
