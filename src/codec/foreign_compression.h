// Compressors Clonezilla can use (-z2 .. -z8) whose streams kura cannot decompress. They are
// recognised only to name them in an error: old Clonezilla images carry no compression suffix
// (`sda1.ntfs-img.aa`), and without this a bzip2 stream would be read as uncompressed and
// reported as "neither a Partclone nor an ntfsclone image", which hides the real cause.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kura {

// Clonezilla's suffix ("bz2", "xz", ...) of the compressor whose magic starts `bytes`, or
// nullptr when the bytes are none of them.
const char* foreign_compression_by_magic(const std::uint8_t* bytes, std::size_t length);

// True for a Clonezilla compression suffix kura cannot read ("bz2", "lzo", "lz4", ...).
bool is_foreign_compression_suffix(const std::string& suffix);

}  // namespace kura
