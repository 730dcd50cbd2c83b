#include "ops/list_images.h"

#include "core/error.h"
#include "image/image_layout.h"
#include "image/manifest.h"
#include "ops/image_save_session.h"
#include "ops/opened_image.h"
#include "ops/save_journal.h"

namespace kura {
namespace {

const std::string kPartialPrefix = partial_image_name("");

// Regular files only: a symlink's target is no part of the image, and its size is not told.
std::uint64_t directory_bytes(const Repository& repo, const std::string& dir) {
    std::uint64_t total = 0;
    for (const auto& e : repo.list_entries(dir)) total += e.info.bytes;
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

void describe_partial(const Repository& repo, const std::string& dir, ImageEntry& entry) {
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
    } catch (const std::exception&) {
    }
}

// False for a directory that is no image (lost+found, ...).
bool describe_image(const Repository& repo, const std::string& dir, ImageEntry& entry) {
    entry.name = dir;
    try {
        OpenedImage image = OpenedImage::open(repo, dir, OpenDepth::metadata);
        if (const auto& manifest = image.manifest()) {
            entry.state = ImageState::complete;
            describe_from_manifest(*manifest, entry);
        } else {
            // Clonezilla writes no record of completion; its `parts` file is written near the end.
            entry.made_by = "clonezilla";
            entry.state = ImageState::complete_unknown;
            entry.parts = image.part_names();
        }
        if (entry.disks.empty() && entry.state != ImageState::incomplete) entry.disks = image.disk_names();
        entry.bytes = image.bytes();
    } catch (const Error& e) {
        if (e.code() == ExitCode::image_not_found || e.code() == ExitCode::usage) return false;
        if (e.code() == ExitCode::cancelled) throw;
        entry = ImageEntry{};
        entry.name = dir;
        entry.state = ImageState::damaged;
        entry.damage = e.what();
    } catch (const std::exception& e) {
        entry = ImageEntry{};
        entry.name = dir;
        entry.state = ImageState::damaged;
        entry.damage = e.what();
    }
    return true;
}

}  // namespace

const char* image_state_name(ImageState state) {
    switch (state) {
    case ImageState::complete: return "complete";
    case ImageState::incomplete: return "incomplete";
    case ImageState::complete_unknown: return "complete-unknown";
    case ImageState::damaged: return "damaged";
    }
    return "?";
}

std::vector<ImageEntry> list_images(const Repository& repo) {
    std::vector<ImageEntry> images;
    for (const auto& top : repo.list_entries("")) {
        const std::string& dir = top.name;
        // Never through a symlink: an image directory is a directory of the repository itself.
        if (top.info.kind != FileKind::directory) continue;
        ImageEntry entry;
        if (dir.rfind(kPartialPrefix, 0) == 0) {
            describe_partial(repo, dir, entry);
        } else if (!describe_image(repo, dir, entry)) {
            continue;
        }
        entry.directory = dir;
        if (entry.state == ImageState::incomplete || entry.state == ImageState::damaged) {
            try {
                entry.bytes = directory_bytes(repo, dir);
            } catch (const Error&) {
            }
        }
        images.push_back(std::move(entry));
    }
    return images;
}

}  // namespace kura
