#include "image/image_layout.h"

#include "codec/foreign_compression.h"
#include "core/error.h"
#include "image/image_name.h"
#include "image/split_files.h"

#include <map>
#include <sstream>

namespace kura {

void validate_image_name(const std::string& name) {
    auto bad = [&](const std::string& why) {
        throw Error(ExitCode::usage, "image name '" + name + "': " + why);
    };
    if (name.empty()) bad("it is empty");
    if (name.size() > 200) bad("it is longer than 200 characters");
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            bad("use only letters, digits, '.', '_' and '-'");
    if (name[0] == '.') bad("it must not start with '.' (kura keeps unfinished images under such names)");
    // Clonezilla reserves these for its own arguments and data-file names.
    for (const char* reserved : {"a", "b", "s", "single"})
        if (name == reserved) bad("Clonezilla reserves it");
    if (name.size() == 1 && name[0] >= '0' && name[0] <= '9') bad("Clonezilla reserves it");
    for (const char* part : {".ntfs-img", ".dd-img", ".ptcl-img"})
        if (name.find(part) != std::string::npos) bad(std::string("it must not contain ") + part);
}

std::string data_file_base(const std::string& part, const std::string& fs_type, const Codec& codec) {
    return part + "." + fs_type + "-ptcl-img." + codec.suffix;
}

namespace {

struct Candidate {
    std::string fs_type;
    std::string comp;   // empty for old names without a compression suffix
    int piece = -1;     // -1 = unsplit
    std::string name;
};

// Parses what follows "<part>." in a file name; false when it is no data file.
bool parse_data_name(const std::string& rest, const std::string& name, Candidate& out) {
    out = Candidate{};
    out.name = name;
    std::string tail;
    if (auto pos = rest.find("-ptcl-img"); pos != std::string::npos) {
        out.fs_type = rest.substr(0, pos);
        tail = rest.substr(pos + 9);  // ".zst", ".zst.aa", ""
        if (tail.empty()) return false;
        if (tail[0] != '.') return false;
        tail = tail.substr(1);
        auto dot = tail.find('.');
        out.comp = tail.substr(0, dot);
        if (dot != std::string::npos) {
            out.piece = split_index(tail.substr(dot + 1));
            if (out.piece < 0) return false;
        }
    } else if (auto old = rest.find("-img"); old != std::string::npos && old > 0) {
        // Old Clonezilla: <part>.<fs>-img[.aa] (old Partclone, or ntfsclone for "ntfs-img");
        // compression known only from the bytes. A compression suffix some hand-made copies
        // carry (<part>.ntfs-img.gz[.aa]) is accepted too.
        out.fs_type = rest.substr(0, old);
        tail = rest.substr(old + 4);
        if (!tail.empty()) {
            if (tail[0] != '.') return false;
            tail = tail.substr(1);
            auto dot = tail.find('.');
            // A suffix naming a compressor kura lacks is kept so the error below names it.
            if (codec_by_suffix(tail.substr(0, dot)) || is_foreign_compression_suffix(tail.substr(0, dot))) {
                out.comp = tail.substr(0, dot);
                tail = dot == std::string::npos ? "" : tail.substr(dot + 1);
            }
            if (!tail.empty()) {
                out.piece = split_index(tail);
                if (out.piece < 0) return false;
            }
        }
    } else {
        return false;
    }
    return !out.fs_type.empty() && out.fs_type.find('.') == std::string::npos;
}

}  // namespace

DataFiles find_data_files(const Repository& repo, const std::string& image_dir, const std::string& part) {
    return find_data_files_in(repo.list(image_dir), repo.describe() + "/" + image_dir, part);
}

DataFiles find_data_files_in(const std::vector<std::string>& names, const std::string& where, const std::string& part) {
    std::vector<Candidate> found;
    for (const auto& name : names) {
        if (name.size() <= part.size() + 1 || name.compare(0, part.size() + 1, part + ".") != 0) continue;
        Candidate c;
        if (parse_data_name(name.substr(part.size() + 1), name, c)) found.push_back(c);
    }
    if (found.empty())
        throw Error(ExitCode::image_not_found,
                    where + ": no data file for partition " + part);

    // One stream per partition: all candidates must agree on fs and compression.
    const Candidate& first = found.front();
    for (const auto& c : found)
        if (c.fs_type != first.fs_type || c.comp != first.comp || (c.piece < 0) != (first.piece < 0))
            throw Error(ExitCode::image_corrupt, where + ": more than one data stream for partition " + part +
                                                     " (" + first.name + ", " + c.name + ")");
    DataFiles files;
    files.part = part;
    files.fs_type = first.fs_type;
    if (!first.comp.empty()) {
        files.codec = codec_by_suffix(first.comp);
        if (!files.codec)
            throw Error(ExitCode::image_corrupt, first.name + ": unsupported compression " + first.comp +
                                                     " (kura reads zst, gz and uncompressed streams)");
    }
    if (first.piece < 0) {
        if (found.size() != 1)
            throw Error(ExitCode::image_corrupt, "partition " + part + " has several unsplit data files");
        files.names.push_back(first.name);
        return files;
    }
    std::map<int, std::string> pieces;
    for (const auto& c : found) pieces[c.piece] = c.name;
    int expected = 0;
    for (const auto& [index, name] : pieces) {
        if (index != expected) {
            std::string missing = first.name.substr(0, first.name.size() - 2) +
                                  split_suffix(static_cast<std::size_t>(expected));
            throw Error(ExitCode::image_corrupt, where + ": split piece " + missing +
                                                     " of partition " + part + " is missing");
        }
        files.names.push_back(name);
        ++expected;
    }
    return files;
}

std::vector<std::string> read_parts_file(const Repository& repo, const std::string& image_dir) {
    std::string path = image_dir + "/" + kPartsFile;
    if (!repo.exists(path))
        throw Error(ExitCode::image_not_found, repo.describe() + "/" + image_dir +
                                                   ": not a Clonezilla or kura image (it has no 'parts' file)");
    std::istringstream in(read_text_file(repo, path));
    std::vector<std::string> parts;
    std::string name;
    while (in >> name) {
        if (!is_valid_part_name(name))
            throw Error(ExitCode::image_corrupt, path + ": '" + name + "' is not a partition name");
        parts.push_back(name);
    }
    if (parts.empty()) throw Error(ExitCode::image_corrupt, repo.describe() + "/" + path + " lists no partitions");
    return parts;
}

}  // namespace kura
