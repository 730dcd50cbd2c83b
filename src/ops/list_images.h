// What a repository holds: every image directory with what is known about it, read
// through the Repository interface only (so it works the same on every backend).
#pragma once

#include "storage/repository.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

enum class ImageState {
    complete,          // kura manifest says the save finished
    incomplete,        // a .kura-partial-* directory, or a manifest that says unfinished
    complete_unknown,  // no kura manifest (made by Clonezilla): has a `parts` file, nothing more is known
    damaged,           // its metadata cannot be read or is forged: `damage` says why
};

struct ImageEntry {
    std::string name;                 // the image name (without .kura-partial-)
    std::string directory;            // the directory in the repository
    std::string created;              // ISO 8601 UTC from the manifest; empty when unknown
    std::string made_by;              // "kura 0.1.0", "clonezilla", or "" for partial images
    std::vector<std::string> disks;   // savedisk images: "sda", or "sda (QEMU HARDDISK, wwid:...)" from kura's manifest
    std::vector<std::string> parts;   // "sda1 (ext4)"
    std::uint64_t bytes = 0;          // sum of the files in the directory
    ImageState state = ImageState::complete_unknown;
    bool verified = false;            // the manifest records a verification after saving
    bool resumable = false;           // an interrupted save with a resume journal (--resume continues it)
    std::string damage;               // ImageState::damaged: the first thing found wrong, naming the file
    // Only complete images (or Clonezilla ones) are ever offered for restore.
    bool restorable() const { return state == ImageState::complete || state == ImageState::complete_unknown; }
};

// One image that cannot be read never stops the listing: it is listed as damaged.
std::vector<ImageEntry> list_images(const Repository& repo);
const char* image_state_name(ImageState state);

}  // namespace kura
