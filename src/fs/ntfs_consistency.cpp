#include "fs/ntfs_consistency.h"

#include "fs/inconsistent_filesystem.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <sys/stat.h>  // defines st_mtime, which stops ntfstime.h redefining struct timespec

// libntfs-3g's C headers come last: support.h defines min() and max() macros that would
// break the C++ library headers, so they are removed right after.
extern "C" {
#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/runlist.h>
#include <ntfs-3g/volume.h>
}
#undef min
#undef max

namespace kura {
namespace {

constexpr const char* kSystemFiles[] = {"$MFT",  "$MFTMirr", "$LogFile", "$Volume", "$AttrDef", "root directory",
                                        "$Bitmap", "$Boot",  "$BadClus", "$Secure", "$UpCase",  "$Extend"};

[[noreturn]] void inconsistent(const std::string& path, const std::string& check, const std::string& detail) {
    throw InconsistentFilesystem(path, "NTFS", check, detail,
                                 "`chkdsk /f` on it in Windows (or try `ntfsfix " + path + "`)");
}

struct InodeCloser {
    void operator()(ntfs_inode* ni) const { ntfs_inode_close(ni); }
};
struct SearchCloser {
    void operator()(ntfs_attr_search_ctx* ctx) const { ntfs_attr_put_search_ctx(ctx); }
};

// Every run of one attribute record: inside the volume and used.
void check_runs(const std::string& path, ntfs_volume* vol, const char* file, ATTR_RECORD* attr, std::uint32_t unit,
                const Bitmap& used) {
    std::unique_ptr<runlist_element, decltype(&std::free)> runs(ntfs_mapping_pairs_decompress(vol, attr, nullptr),
                                                                &std::free);
    if (!runs)
        inconsistent(path, "system file runlist", std::string(file) + ": its runlist cannot be decoded (" +
                                                      std::strerror(errno) + ")");
    const std::uint64_t clusters = static_cast<std::uint64_t>(vol->nr_clusters);
    const std::uint64_t per_cluster = vol->cluster_size / unit;
    for (const runlist_element* r = runs.get(); r->length > 0; ++r) {
        if (r->lcn < 0) continue;  // a hole (sparse, as $BadClus:$Bad is): no clusters
        const auto lcn = static_cast<std::uint64_t>(r->lcn), length = static_cast<std::uint64_t>(r->length);
        if (lcn >= clusters || length > clusters - lcn)
            inconsistent(path, "system file clusters outside the volume",
                         std::string(file) + " uses clusters " + std::to_string(lcn) + ".." +
                             std::to_string(lcn + length - 1) + ", but the volume has " + std::to_string(clusters));
        const std::uint64_t first = lcn * per_cluster, count = length * per_cluster;
        const auto run = used.next_run(first);
        if (!run || run->start != first || run->length < count) {
            const std::uint64_t free_unit = !run || run->start != first ? first : run->start + run->length;
            inconsistent(path, "system files not in $Bitmap",
                         std::string(file) + " uses cluster " + std::to_string(free_unit / per_cluster) +
                             ", which $Bitmap calls free");
        }
    }
}

}  // namespace

void check_ntfs_bitmap_size(const std::string& path, _ntfs_volume* vol) {
    const auto clusters = static_cast<std::uint64_t>(vol->nr_clusters);
    const std::uint64_t needed = (clusters + 7) / 8;
    const std::uint64_t rounded = (needed + 7) / 8 * 8;
    const auto size = static_cast<std::uint64_t>(vol->lcnbmp_na->data_size);
    if (size < needed || size > rounded + vol->cluster_size)
        inconsistent(path, "$Bitmap size",
                     "$Bitmap holds " + std::to_string(size) + " bytes, but the volume's " + std::to_string(clusters) +
                         " clusters need at least " + std::to_string(needed));
}

void check_ntfs_system_files_used(const std::string& path, _ntfs_volume* vol, std::uint32_t unit, const Bitmap& used) {
    for (std::size_t mft_no = 0; mft_no < std::size(kSystemFiles); ++mft_no) {
        const char* file = kSystemFiles[mft_no];
        std::unique_ptr<ntfs_inode, InodeCloser> ni(ntfs_inode_open(vol, static_cast<MFT_REF>(mft_no)));
        if (!ni)
            inconsistent(path, "system file unreadable", std::string(file) + " (MFT record " + std::to_string(mft_no) +
                                                             "): " + std::strerror(errno));
        std::unique_ptr<ntfs_attr_search_ctx, SearchCloser> ctx(ntfs_attr_get_search_ctx(ni.get(), nullptr));
        if (!ctx) throw std::bad_alloc();
        while (ntfs_attrs_walk(ctx.get()) == 0)
            if (ctx->attr->non_resident) check_runs(path, vol, file, ctx->attr, unit, used);
        if (errno != ENOENT)
            inconsistent(path, "system file unreadable",
                         std::string(file) + ": its attributes cannot be read (" + std::strerror(errno) + ")");
    }
}

}  // namespace kura
