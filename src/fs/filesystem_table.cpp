// The table of filesystems: adding a filesystem is one file in src/fs/ implementing
// FilesystemReader and one row here.
#include "fs/filesystem.h"

#include "core/error.h"

#include <memory>

namespace kura {

std::unique_ptr<FilesystemReader> make_ext_reader();
std::unique_ptr<FilesystemReader> make_fat_reader();
std::unique_ptr<FilesystemReader> make_ntfs_reader();
std::unique_ptr<FilesystemReader> make_vmfs_reader();
std::unique_ptr<FilesystemReader> make_xfs_reader();
std::unique_ptr<FilesystemReader> make_mount_only_filesystem(const std::string& kernel_type, bool unix_permissions);

// What a filesystem has unless its file says otherwise: a used-block map, and nothing else.
bool FilesystemReader::maps_used_blocks() const { return true; }
void FilesystemReader::after_restore(Device&, std::optional<std::uint64_t>) const {}
std::string FilesystemReader::diagnose_unrecognised(const Device&) const { return {}; }
std::vector<std::string> FilesystemReader::repair_command(const std::string&) const { return {}; }
std::string FilesystemReader::judge_repair(const std::string& label, const std::string&, const ToolResult&) const {
    // Only reached when a row gives a repair_command() and forgets to judge it.
    throw Error(ExitCode::internal, label + ": " + name() + " has a repair command but no judgement of its result");
}
bool FilesystemReader::grows() const { return false; }
void FilesystemReader::grow(const std::string& path) const {
    throw Error(ExitCode::internal, path + ": kura cannot grow " + name());
}
std::optional<RepositoryMount> FilesystemReader::repository_mount(const std::string&) const { return std::nullopt; }

namespace {

const std::vector<std::unique_ptr<FilesystemReader>>& readers() {
    static const auto table = [] {
        std::vector<std::unique_ptr<FilesystemReader>> t;
        t.push_back(make_ext_reader());
        t.push_back(make_fat_reader());
        t.push_back(make_ntfs_reader());
        t.push_back(make_vmfs_reader());
        t.push_back(make_mount_only_filesystem("exfat", false));
        t.push_back(make_xfs_reader());
        return t;
    }();
    return table;
}

}  // namespace

const FilesystemReader* filesystem_for(const std::string& type) {
    for (const auto& r : readers())
        for (const auto& t : r->types())
            if (t == type) return r.get();
    return nullptr;
}

const FilesystemReader* filesystem_reader_for(const std::string& type) {
    const FilesystemReader* fs = filesystem_for(type);
    return fs && fs->maps_used_blocks() ? fs : nullptr;
}

std::optional<RepositoryMount> repository_mount_for(const std::string& type) {
    const FilesystemReader* fs = filesystem_for(type);
    return fs ? fs->repository_mount(type) : std::nullopt;
}

std::string diagnose_unrecognised_filesystem(const Device& device) {
    for (const auto& r : readers())
        if (std::string why = r->diagnose_unrecognised(device); !why.empty()) return why;
    return {};
}

std::vector<std::string> supported_filesystem_types() {
    std::vector<std::string> all;
    for (const auto& r : readers())
        if (r->maps_used_blocks())
            for (const auto& t : r->types()) all.push_back(t);
    return all;
}

std::vector<std::string> repository_filesystem_types() {
    std::vector<std::string> all;
    for (const auto& r : readers())
        for (const auto& t : r->types())
            if (r->repository_mount(t)) all.push_back(t);
    return all;
}

}  // namespace kura
