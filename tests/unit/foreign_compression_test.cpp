#include "codec/codec.h"
#include "codec/foreign_compression.h"

#include <gtest/gtest.h>

#include <string>

namespace kura {
namespace {

const char* foreign(const std::string& bytes) {
    return foreign_compression_by_magic(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

TEST(ForeignCompression, NamesCompressorsKuraCannotRead) {
    EXPECT_STREQ(foreign("BZh91AY&SY"), "bz2");
    EXPECT_STREQ(foreign(std::string("\xfd" "7zXZ\0\0\x04", 8)), "xz");
    EXPECT_STREQ(foreign(std::string("\x89LZO\0\r\n\x1a\n\x10", 10)), "lzo");
    EXPECT_STREQ(foreign("\x04\x22\x4d\x18\x64\x40"), "lz4");
    EXPECT_STREQ(foreign("LZIP\x01"), "lzip");
}

TEST(ForeignCompression, LeavesImagesAndReadableCodecsAlone) {
    EXPECT_EQ(foreign(std::string("\0ntfsclone-image", 16)), nullptr);
    EXPECT_EQ(foreign("partclone-image"), nullptr);
    EXPECT_EQ(foreign("\x1f\x8b\x08\x00"), nullptr);          // gzip
    EXPECT_EQ(foreign("\x28\xb5\x2f\xfd\x00"), nullptr);      // zstd
    EXPECT_EQ(foreign("BZ"), nullptr);                        // too short to tell
}

TEST(ForeignCompression, SuffixesAreNotThoseOfReadableCodecs) {
    for (const char* s : {"bz2", "xz", "lzma", "lzo", "lz4", "lzip", "lrz"}) {
        EXPECT_TRUE(is_foreign_compression_suffix(s)) << s;
        EXPECT_EQ(codec_by_suffix(s), nullptr) << s;
    }
    for (const char* s : {"zst", "gz", "uncomp", "aa"}) EXPECT_FALSE(is_foreign_compression_suffix(s)) << s;
}

}  // namespace
}  // namespace kura
