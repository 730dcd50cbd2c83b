#include "ops/list_images.h"

#include "core/error.h"
#include "image/image_layout.h"
#include "image/manifest.h"
#include "ops/image_save_session.h"
#include "ops/save_journal.h"

namespace kura {
namespace {

const std::string kPartialPrefix = partial_image_name("");

std::uint64_t directory_bytes(const Repository& repo, const std::string& dir) {
    std::uint64_t total = 0;
    for (const auto& name : repo.list(dir)) {
        std::string path = dir + "/" + name;
        if (!repo.is_directory(path)) total += repo.file_size(path);
    }
    return total;
}

void describe_from_manifest(const Manifest& manifest, ImageEntry& entry) {
    entry.created = manifest.created;
    entry.made_by = manifest.engine;
    entry.verified = manifest.verified;
    if (!manifest.complete) entry.state = ImageState::incomplete;
    for (const auto& p : manifest.parts) entry.parts.push_back(p.name + " (" + p.fs_type + ")");
    for (const auto& d : manifest.disks)
        entry.disks.push_back(d.name + " (" + (d.model.empty() ? "" : d.model + ", ") + d.identity + ")");
}

// Clonezilla's `disk` file names the disks of a savedisk image (kura writes it too).
std::vector<std::string> disk_file_names(const Repository& repo, const std::string& dir) {
    std::vector<std::string> names;
    if (!repo.exists(dir + "/disk")) return names;
    std::string text = read_text_file(repo, dir + "/disk", 4096);
    std::string word;
    for (char c : text + " ") {
        if (c == ' ' || c == '\n' || c == '\t') {
            if (!word.empty()) names.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    return names;
}

}  // namespace

const char* image_state_name(ImageState state) {
    switch (state) {
    case ImageState::complete: return "complete";
    case ImageState::incomplete: return "incomplete";
    case ImageState::complete_unknown: return "complete-unknown";
    }
    return "?";
}

std::vector<ImageEntry> list_images(const Repository& repo) {
    std::vector<ImageEntry> images;
    for (const auto& dir : repo.list("")) {
        if (!repo.is_directory(dir)) continue;
        ImageEntry entry;
        entry.directory = dir;
        if (dir.rfind(kPartialPrefix, 0) == 0) {
            // A save that has not finished (or was killed): never offered for restore.
            entry.name = dir.substr(kPartialPrefix.size());
            entry.state = ImageState::incomplete;
            try {
                if (auto journal = read_save_journal(repo, dir)) {
                    entry.resumable = true;
                    entry.created = journal->created;
                    entry.made_by = journal->engine;
                    for (const auto& s : journal->sources) entry.parts.push_back(s.name);
                }
            } catch (const Error&) {
                // A damaged journal: incomplete, and nothing to resume.
            }
        } else if (repo.exists(dir + "/" + kManifestFile)) {
            entry.name = dir;
            entry.state = ImageState::complete;
            try {
                if (auto manifest = read_manifest(repo, dir)) describe_from_manifest(*manifest, entry);
            } catch (const Error&) {
                // An unreadable manifest means nobody can vouch for the image.
                entry.state = ImageState::incomplete;
            }
        } else if (repo.exists(dir + "/" + kPartsFile)) {
            // Clonezilla writes no record of completion; its `parts` file is written near the end.
            entry.name = dir;
            entry.made_by = "clonezilla";
            entry.state = ImageState::complete_unknown;
            for (const auto& p : read_parts_file(repo, dir)) entry.parts.push_back(p);
        } else {
            continue;  // some other directory (lost+found, ...)
        }
        if (entry.disks.empty() && entry.state != ImageState::incomplete) entry.disks = disk_file_names(repo, dir);
        entry.bytes = directory_bytes(repo, dir);
        images.push_back(std::move(entry));
    }
    return images;
}

}  // namespace kura
