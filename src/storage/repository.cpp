#include "storage/repository.h"

#include "core/error.h"

namespace kura {

void write_text_file(Repository& repo, const std::string& path, const std::string& text) {
    auto sink = repo.create_file(path);
    sink->write(text.data(), text.size());
    sink->close();
}

std::string read_text_file(const Repository& repo, const std::string& path, std::size_t max_bytes) {
    auto source = repo.open_file(path);
    std::string text(max_bytes, '\0');
    text.resize(read_fully(*source, text.data(), text.size()));
    return text;
}

std::vector<DirEntry> Repository::list_entries(const std::string& dir) const {
    std::vector<DirEntry> entries;
    for (const auto& name : list(dir)) entries.push_back({name, entry_info(dir.empty() ? name : dir + "/" + name)});
    return entries;
}

void throw_not_regular_file(const std::string& what) {
    throw Error(ExitCode::image_corrupt,
                what + ": not a regular file (a symlink, FIFO or device); kura reads only regular files from a repository");
}

}  // namespace kura
