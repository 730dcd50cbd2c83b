#include "ops/image_contents.h"

#include "core/error.h"
#include "image/manifest.h"
#include "ops/stream_decode.h"

namespace kura {

std::string ImageContents::part_list() const {
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : " ") + p.files.part;
    return s;
}

ImageContents read_image_contents(const Repository& repo, const std::string& image) {
    if (image.empty() || image.find('/') != std::string::npos || image[0] == '.')
        throw Error(ExitCode::usage, "'" + image + "' is not an image name");
    if (!repo.is_directory(image))
        throw Error(ExitCode::image_not_found, "no image named " + image + " in " + repo.describe());

    ImageContents contents;
    auto manifest = read_manifest(repo, image);
    if (manifest && !manifest->complete)
        throw Error(ExitCode::image_corrupt, "image " + image + " was never finished; it cannot be restored");
    for (const auto& name : read_parts_file(repo, image)) {
        ImagePart part;
        const ManifestPart* recorded = manifest ? manifest->find(name) : nullptr;
        if (manifest) {
            if (!recorded)
                throw Error(ExitCode::image_corrupt, "partition " + name + " is in 'parts' but not in the manifest");
            // First: names the missing or short file exactly.
            check_files_against_manifest(repo, image, *recorded);
        }
        part.files = find_data_files(repo, image, name);
        if (recorded) attach_checksums(part.files, *recorded);
        part.header = read_stream_header(repo, image, part.files);
        contents.parts.push_back(std::move(part));
    }
    contents.complete_per_manifest = manifest.has_value();
    return contents;
}

}  // namespace kura
