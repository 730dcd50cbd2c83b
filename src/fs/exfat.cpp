// exFAT: in the table for one hook only. USB disks a field engineer brings are often
// exFAT, so a `dev:` repository can live on one; kura does not image exFAT (no used-block
// reader yet), so filesystem_reader_for() skips this row and a source partition holding
// exFAT is refused as before, naming the types kura does image.
#include "fs/filesystem.h"

#include "core/error.h"

#include <memory>

namespace kura {
namespace {

class ExfatFilesystem : public FilesystemReader {
public:
    std::string name() const override { return "exfat"; }
    std::vector<std::string> types() const override { return {"exfat"}; }
    bool maps_used_blocks() const override { return false; }

    UsedBlockMap read_used_blocks(const std::string& path, const FsReadOptions&) const override {
        throw Error(ExitCode::source_unsupported, path + ": kura does not image exfat yet");
    }

    std::optional<RepositoryMount> repository_mount(const std::string&) const override {
        return RepositoryMount{{"exfat"}, "", false};
    }
};

}  // namespace

std::unique_ptr<FilesystemReader> make_exfat_filesystem() { return std::make_unique<ExfatFilesystem>(); }

}  // namespace kura
