// Compression formats, one file each behind one table (codec_table.cpp), the same way
// filesystems are registered: adding a format is one new file and one row.
#pragma once

#include "core/byte_stream.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kura {

struct CompressOptions {
    int level = 0;      // 0 = the codec's default
    int threads = 1;    // worker threads for codecs that compress in parallel
};

// A compressor is written like any sink; end_frame() also lets a save checkpoint it: the
// compressed output so far becomes a complete frame (zstd) or member (gzip), and whatever
// follows starts a new one. Concatenated frames and members are valid streams that kura,
// `zstd -dc` and `gzip -dc` decode as one, so the file stays an ordinary Clonezilla image,
// and a resumed save can append to it without any compressor state from the earlier run.
class Compressor : public ByteSink {
public:
    // Everything written so far is compressed and handed to the downstream sink (which is
    // not closed); the next write starts a new frame.
    virtual void end_frame() = 0;
};

struct Codec {
    std::string name;    // as given to `-z`: zstd, gzip, none
    std::string suffix;  // Clonezilla's file-name suffix: zst, gz, uncomp
    int default_level = 0;
    int min_level = 0, max_level = 0;
    // Null when kura reads this format but does not write it.
    std::unique_ptr<Compressor> (*make_compressor)(ByteSink& out, const CompressOptions& options) = nullptr;
    // `what` names the stream in error messages (e.g. the data file).
    std::unique_ptr<ByteSource> (*make_decompressor)(ByteSource& in, const std::string& what) = nullptr;
    bool (*has_magic)(const std::uint8_t* bytes, std::size_t length) = nullptr;
};

// The table; lookups return nullptr when nothing matches.
const std::vector<Codec>& codecs();
const Codec* codec_by_name(const std::string& name);
const Codec* codec_by_suffix(const std::string& suffix);
const Codec* codec_by_magic(const std::uint8_t* bytes, std::size_t length);

// One function per codec file, listed in the table.
Codec zstd_codec();
Codec gzip_codec();
Codec uncompressed_codec();

}  // namespace kura
