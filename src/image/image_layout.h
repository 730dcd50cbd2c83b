// Names inside a Clonezilla image directory: the `parts` list, data files named
// <part>.<fs>-ptcl-img.<comp>[.aa...] (and the older <part>.<fs>-img[.aa...]), and what
// makes an image name acceptable to Clonezilla's menus.
#pragma once

#include "codec/codec.h"
#include "storage/repository.h"

#include <string>
#include <vector>

namespace kura {

inline constexpr const char* kPartsFile = "parts";
inline constexpr const char* kManifestFile = "kura-manifest";

// Throws Error(usage) explaining what is wrong with an image name.
void validate_image_name(const std::string& name);

// "sda1.ext4-ptcl-img.zst"
std::string data_file_base(const std::string& part, const std::string& fs_type, const Codec& codec);

struct DataFiles {
    std::string part;
    std::string fs_type;            // from the file name: "ext4"
    const Codec* codec = nullptr;   // from the suffix; nullptr = detect from the bytes
    std::vector<std::string> names; // the pieces in stream order
    std::vector<std::string> sha256; // per piece, from kura's manifest; empty when unknown
};

// Finds a partition's data files in an image directory. Throws Error(image_not_found) when
// there are none and Error(image_corrupt) when split pieces are missing in the sequence.
DataFiles find_data_files(const Repository& repo, const std::string& image_dir, const std::string& part);
// The same over names already listed; `where` names the directory in messages.
DataFiles find_data_files_in(const std::vector<std::string>& names, const std::string& where, const std::string& part);

// The partition names in `parts` (throws Error(image_not_found) if there is no such file).
std::vector<std::string> read_parts_file(const Repository& repo, const std::string& image_dir);

}  // namespace kura
