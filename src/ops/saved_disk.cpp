#include "ops/saved_disk.h"

#include "core/error.h"
#include "device/partition_name.h"
#include "image/clonezilla_metadata.h"
#include "ptable/clonezilla_table_files.h"
#include "ptable/table_validation.h"

#include <algorithm>
#include <sstream>

namespace kura {
namespace {

std::vector<std::uint8_t> read_binary(const Repository& repo, const std::string& path, std::size_t max_bytes) {
    std::string text = read_text_file(repo, path, max_bytes);
    return {text.begin(), text.end()};
}

std::vector<std::string> words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

std::uint64_t entries_end_sector(const PartitionTable& t) {
    std::uint64_t entry_bytes = std::uint64_t{t.gpt_entries} * 128;
    return 2 + (entry_bytes + t.sector_size - 1) / t.sector_size;
}

}  // namespace

std::vector<SavedDisk> read_saved_disks(const Repository& repo, const std::string& image,
                                        const std::vector<std::string>& parts, const std::optional<Manifest>& manifest) {
    const std::string dir = image + "/";
    if (!repo.exists(dir + "disk"))
        throw Error(ExitCode::usage, "image " + image +
                                         " holds partitions, not whole disks (it has no `disk` file): restore it "
                                         "with `kura restoreparts`");
    std::vector<SavedDisk> disks;
    for (const auto& name : words(read_text_file(repo, dir + "disk"))) {
        SavedDisk d;
        d.name = name;
        if (manifest)
            if (const ManifestDisk* r = manifest->find_disk(name)) {
                d.recorded = *r;
                d.bytes = r->bytes;
            }
        const std::string base = dir + name;
        if (!repo.exists(base + "-pt.sf")) {
            if (std::find(parts.begin(), parts.end(), name) == parts.end())
                throw Error(ExitCode::image_corrupt, "image " + image + ": " + name +
                                                         "-pt.sf (the partition table of disk " + name +
                                                         ") is missing");
            d.whole_disk = true;
            disks.push_back(std::move(d));
            continue;
        }
        d.table = parse_sfdisk_dump(read_text_file(repo, base + "-pt.sf"));
        if (repo.exists(base + "-pt.parted")) {
            d.table.disk_sectors = parted_disk_sectors(read_text_file(repo, base + "-pt.parted"));
            d.bytes = d.table.disk_sectors * d.table.sector_size;
        } else if (d.bytes > 0) {
            d.table.disk_sectors = d.bytes / d.table.sector_size;
        } else {
            throw Error(ExitCode::image_corrupt, "image " + image + ": " + name +
                                                     "-pt.parted (it gives the size of disk " + name +
                                                     ") is missing");
        }
        // Now that the saved disk's size is known: every partition inside it.
        validate_partition_table(d.table);
        if (repo.exists(base + "-mbr")) d.mbr = read_binary(repo, base + "-mbr", 512);
        if (d.table.kind == TableKind::gpt) {
            d.gap_start_sector = entries_end_sector(d.table);
            if (repo.exists(base + "-hidden-data-after-gpt"))
                d.gap = read_binary(repo, base + "-hidden-data-after-gpt", 1024u << 20);
        } else {
            d.gap_start_sector = 1;
            if (repo.exists(base + "-hidden-data-after-mbr"))
                d.gap = read_binary(repo, base + "-hidden-data-after-mbr", 1024u << 20);
        }
        for (const auto& file : repo.list(image)) {
            const std::string prefix = "swappt-", suffix = ".info";
            if (file.rfind(prefix, 0) != 0 || file.size() <= prefix.size() + suffix.size() ||
                file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
                continue;
            std::string part = file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
            if (auto number = partition_number(name, part))
                d.swaps[*number] = parse_swap_info(read_text_file(repo, dir + file));
        }
        disks.push_back(std::move(d));
    }
    if (disks.empty()) throw Error(ExitCode::image_corrupt, "image " + image + ": its `disk` file names no disk");
    return disks;
}

}  // namespace kura
