#include "codec/codec.h"

namespace kura {

const std::vector<Codec>& codecs() {
    static const std::vector<Codec> table = {
        zstd_codec(),
        gzip_codec(),
        uncompressed_codec(),  // last: it matches any bytes
    };
    return table;
}

const Codec* codec_by_name(const std::string& name) {
    for (const auto& c : codecs())
        if (c.name == name) return &c;
    return nullptr;
}

const Codec* codec_by_suffix(const std::string& suffix) {
    for (const auto& c : codecs())
        if (c.suffix == suffix) return &c;
    return nullptr;
}

const Codec* codec_by_magic(const std::uint8_t* bytes, std::size_t length) {
    for (const auto& c : codecs())
        if (c.has_magic && c.has_magic(bytes, length)) return &c;
    return nullptr;
}

}  // namespace kura
