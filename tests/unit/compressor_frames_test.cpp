// A save checkpoint ends the compressor's frame (zstd) or member (gzip) and carries on in a
// new one. The concatenation must decode to exactly the bytes written, in one pass, and
// really consist of separate frames, since a resumed save appends a frame of its own
// after what the interrupted run left.
#include "codec/codec.h"
#include "core/stage_thread.h"
#include "memory_repository.h"

#include <gtest/gtest.h>

#include <zlib.h>
#include <zstd.h>

#include <random>

namespace kura {
namespace {

std::string sample(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i % 7 == 0 ? rng() : 'a' + i % 13);
    return s;
}

std::string decode(const Codec& codec, const std::string& compressed) {
    struct Source : ByteSource {
        const std::string& data;
        std::size_t pos = 0;
        explicit Source(const std::string& d) : data(d) {}
        std::size_t read(void* b, std::size_t n) override {
            n = std::min(n, data.size() - pos);
            std::memcpy(b, data.data() + pos, n);
            pos += n;
            return n;
        }
    } in(compressed);
    auto d = codec.make_decompressor(in, "test");
    std::string out(1 << 16, '\0'), all;
    while (std::size_t n = d->read(out.data(), out.size())) all.append(out.data(), n);
    return all;
}

// Frames in a zstd stream, counted by walking their compressed sizes.
int zstd_frames(const std::string& s) {
    int frames = 0;
    for (std::size_t pos = 0; pos < s.size(); ++frames) {
        std::size_t n = ZSTD_findFrameCompressedSize(s.data() + pos, s.size() - pos);
        if (ZSTD_isError(n)) return -1;
        pos += n;
    }
    return frames;
}

// Members of a gzip stream, counted by inflating one after another.
int gzip_members(const std::string& s) {
    int members = 0;
    std::size_t pos = 0;
    std::string out(1 << 16, '\0');
    while (pos < s.size()) {
        z_stream z{};
        if (inflateInit2(&z, 15 + 16) != Z_OK) return -1;
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.data() + pos));
        z.avail_in = static_cast<uInt>(s.size() - pos);
        int rc;
        do {
            z.next_out = reinterpret_cast<Bytef*>(out.data());
            z.avail_out = static_cast<uInt>(out.size());
            rc = inflate(&z, Z_NO_FLUSH);
        } while (rc == Z_OK);
        pos = s.size() - z.avail_in;
        inflateEnd(&z);
        if (rc != Z_STREAM_END) return -1;
        ++members;
    }
    return members;
}

// Writes `parts` with end_frame() between them and returns the compressed stream.
std::string compress_in_frames(const Codec& codec, const std::vector<std::string>& parts, int threads) {
    test::StringSink out;
    CompressOptions o;
    o.level = codec.default_level;
    o.threads = threads;
    auto c = codec.make_compressor(out, o);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        // Written in odd-sized slices, as the encoder does.
        for (std::size_t pos = 0; pos < parts[i].size(); pos += 70001)
            c->write(parts[i].data() + pos, std::min<std::size_t>(70001, parts[i].size() - pos));
        if (i + 1 < parts.size()) c->end_frame();
    }
    c->close();
    EXPECT_TRUE(out.closed);
    return out.data;
}

TEST(CompressorFrames, ZstdFramesConcatenateToTheSameBytes) {
    const Codec& zstd = *codec_by_name("zstd");
    std::vector<std::string> parts{sample(3 << 20, 1), sample(100, 2), sample(5 << 20, 3)};
    for (int threads : {1, 2}) {
        std::string z = compress_in_frames(zstd, parts, threads);
        EXPECT_EQ(zstd_frames(z), 3) << threads << " thread(s)";
        EXPECT_EQ(decode(zstd, z), parts[0] + parts[1] + parts[2]);
    }
}

TEST(CompressorFrames, ZstdFrameOfAResumedRunAppendsToAnEarlierOne) {
    // Two compressors, as an interrupted and a resumed run: the second's frames follow the
    // first's checkpointed frames in the same file.
    const Codec& zstd = *codec_by_name("zstd");
    std::string a = sample(1 << 20, 4), b = sample(2 << 20, 5);
    test::StringSink out;
    auto first = zstd.make_compressor(out, {3, 2});
    first->write(a.data(), a.size());
    first->end_frame();
    std::string kept = out.data;  // what the checkpoint made durable
    first->write(b.data(), 1000);  // lost with the interrupted run
    test::StringSink resumed;
    resumed.data = kept;
    auto second = zstd.make_compressor(resumed, {3, 2});
    second->write(b.data(), b.size());
    second->close();
    EXPECT_EQ(decode(zstd, resumed.data), a + b);
}

TEST(CompressorFrames, GzipMembersConcatenateToTheSameBytes) {
    const Codec& gzip = *codec_by_name("gzip");
    std::vector<std::string> parts{sample(2 << 20, 6), sample(1, 7), sample(1 << 20, 8)};
    std::string z = compress_in_frames(gzip, parts, 1);
    EXPECT_EQ(gzip_members(z), 3);
    EXPECT_EQ(decode(gzip, z), parts[0] + parts[1] + parts[2]);
}

TEST(CompressorFrames, EndingAnEmptyFrameAddsNothing) {
    const Codec& gzip = *codec_by_name("gzip");
    std::string z = compress_in_frames(gzip, {sample(1000, 9), "", ""}, 1);
    EXPECT_EQ(gzip_members(z), 1);
    EXPECT_EQ(decode(gzip, z), sample(1000, 9));
    // No data at all is still one valid (empty) member.
    std::string empty = compress_in_frames(gzip, {""}, 1);
    EXPECT_EQ(gzip_members(empty), 1);
    EXPECT_EQ(decode(gzip, empty), "");
}

TEST(CompressorFrames, UncompressedPassesThrough) {
    const Codec& none = *codec_by_name("none");
    std::string z = compress_in_frames(none, {"abc", "def"}, 1);
    EXPECT_EQ(z, "abcdef");
}

TEST(ThreadedSink, FlushWaitsUntilEverythingIsDownstream) {
    test::StringSink out;
    ThreadedSink sink(out, 1000, 2);
    std::string data = sample(123457, 10);
    sink.write(data.data(), data.size());
    sink.flush();
    // Read on this thread right after flush(): all bytes are there, nothing is closed.
    EXPECT_EQ(out.data, data);
    EXPECT_FALSE(out.closed);
    sink.write("tail", 4);
    sink.close();
    EXPECT_EQ(out.data, data + "tail");
    EXPECT_TRUE(out.closed);
}

TEST(ThreadedSink, FlushRethrowsAFailureDownstream) {
    struct Failing : ByteSink {
        void write(const void*, std::size_t) override { throw std::runtime_error("disk gone"); }
        void close() override {}
    } out;
    ThreadedSink sink(out, 16, 2);
    sink.write("0123456789abcdefXYZ", 19);
    EXPECT_THROW(sink.flush(), std::runtime_error);
}

}  // namespace
}  // namespace kura
