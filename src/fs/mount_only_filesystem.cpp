// Filesystems in the table for one hook only: a `dev:` repository can live on them, but
// kura does not image them (no used-block reader yet), so filesystem_reader_for() skips
// these rows and a source partition holding one is refused as before, naming the types
// kura does image. USB disks a field engineer brings are often exFAT.
#include "fs/filesystem.h"

#include "core/error.h"

#include <memory>

namespace kura {
namespace {

class MountOnlyFilesystem : public FilesystemReader {
public:
    MountOnlyFilesystem(std::string name, bool unix_permissions)
        : name_(std::move(name)), unix_permissions_(unix_permissions) {}

    std::string name() const override { return name_; }
    std::vector<std::string> types() const override { return {name_}; }
    bool maps_used_blocks() const override { return false; }

    UsedBlockMap read_used_blocks(const std::string& path, const FsReadOptions&) const override {
        throw Error(ExitCode::source_unsupported, path + ": kura does not image " + name_ + " yet");
    }

    std::optional<RepositoryMount> repository_mount(const std::string&) const override {
        return RepositoryMount{{name_}, "", unix_permissions_};
    }

private:
    std::string name_;
    bool unix_permissions_;
};

}  // namespace

// `unix_permissions`: false for exFAT, which keeps no Unix modes (RepositoryMount).
std::unique_ptr<FilesystemReader> make_mount_only_filesystem(const std::string& kernel_type, bool unix_permissions) {
    return std::make_unique<MountOnlyFilesystem>(kernel_type, unix_permissions);
}

}  // namespace kura
