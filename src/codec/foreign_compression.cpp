#include "codec/foreign_compression.h"

#include <cstring>

namespace kura {
namespace {

struct Foreign {
    const char* suffix;        // as Clonezilla names it in data files
    const char* magic;         // the stream's first bytes
    std::size_t magic_length;
};

// Magics from each format's specification. lzma (the old .lzma "alone" format) has no real
// magic; its usual first bytes (properties 0x5d, dictionary size low bytes zero) are used -
// neither a Partclone nor an ntfsclone stream can start that way.
constexpr Foreign kForeign[] = {
    {"bz2", "BZh", 3},
    {"xz", "\xfd" "7zXZ\0", 6},
    {"lzma", "\x5d\0\0", 3},
    {"lzo", "\x89LZO\0\r\n\x1a\n", 9},
    {"lz4", "\x04\x22\x4d\x18", 4},
    {"lz4", "\x02\x21\x4c\x18", 4},  // lz4's legacy frame (lz4 -l, lz4mt)
    {"lzip", "LZIP", 4},
    {"lrz", "LRZI", 4},
};

}  // namespace

const char* foreign_compression_by_magic(const std::uint8_t* bytes, std::size_t length) {
    for (const auto& f : kForeign)
        if (length >= f.magic_length && std::memcmp(bytes, f.magic, f.magic_length) == 0) return f.suffix;
    return nullptr;
}

bool is_foreign_compression_suffix(const std::string& suffix) {
    for (const auto& f : kForeign)
        if (suffix == f.suffix) return true;
    return false;
}

}  // namespace kura
