// What an image directory holds, read and checked without decompressing the data: the
// partitions in `parts`, each one's data files and Partclone header, and - for kura
// images - the manifest's promise of every file's size.
#pragma once

#include "image/image_layout.h"
#include "image/partclone_header.h"
#include "repo/repository.h"

#include <string>
#include <vector>

namespace kura {

struct ImagePart {
    DataFiles files;
    PartcloneHeader header;
};

struct ImageContents {
    std::vector<ImagePart> parts;
    bool complete_per_manifest = false;  // a kura manifest says complete, and the files match it
    std::string part_list() const;
};

// Throws Error(image_not_found) for a missing image, Error(image_corrupt) for missing or
// short pieces, unreadable headers, or a kura image whose save never finished.
ImageContents read_image_contents(const Repository& repo, const std::string& image);

}  // namespace kura
