#include "repo/repository.h"

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

}  // namespace kura
