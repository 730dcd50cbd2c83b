// The table of filesystem readers: adding a filesystem is one file and one row here.
#include "fs/filesystem.h"

#include <memory>

namespace kura {

std::unique_ptr<FilesystemReader> make_ext_reader();
std::unique_ptr<FilesystemReader> make_fat_reader();
std::unique_ptr<FilesystemReader> make_ntfs_reader();
std::unique_ptr<FilesystemReader> make_vmfs_reader();

void FilesystemReader::after_restore(Device&, std::optional<std::uint64_t>) const {}
std::string FilesystemReader::diagnose_unrecognised(const Device&) const { return {}; }

namespace {

const std::vector<std::unique_ptr<FilesystemReader>>& readers() {
    static const auto table = [] {
        std::vector<std::unique_ptr<FilesystemReader>> t;
        t.push_back(make_ext_reader());
        t.push_back(make_fat_reader());
        t.push_back(make_ntfs_reader());
        t.push_back(make_vmfs_reader());
        return t;
    }();
    return table;
}

}  // namespace

const FilesystemReader* filesystem_reader_for(const std::string& type) {
    for (const auto& r : readers())
        for (const auto& t : r->types())
            if (t == type) return r.get();
    return nullptr;
}

std::string diagnose_unrecognised_filesystem(const Device& device) {
    for (const auto& r : readers())
        if (std::string why = r->diagnose_unrecognised(device); !why.empty()) return why;
    return {};
}

std::vector<std::string> supported_filesystem_types() {
    std::vector<std::string> all;
    for (const auto& r : readers())
        for (const auto& t : r->types()) all.push_back(t);
    return all;
}

}  // namespace kura
