// gzip: what most existing Clonezilla images use (-z1/-z1p). Read with every member of a
// multi-member file (pigz, concatenated pieces); written single-threaded for compatibility.
#include "codec/codec.h"
#include "core/error.h"

#include <zlib.h>

#include <vector>

namespace kura {
namespace {

class GzipCompressor : public Compressor {
public:
    GzipCompressor(ByteSink& out, const CompressOptions& o) : out_(out), buffer_(1 << 20) {
        // windowBits 15 + 16 asks zlib for a gzip wrapper instead of a zlib one.
        if (deflateInit2(&z_, o.level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            throw Error(ExitCode::internal, "gzip: cannot initialise the compressor");
    }
    ~GzipCompressor() override { deflateEnd(&z_); }

    void write(const void* data, std::size_t length) override {
        if (length > 0) dirty_ = any_member_ = true;
        const auto* p = static_cast<const Bytef*>(data);
        while (length > 0) {
            // zlib counts in uInt; feed at most 1 GiB at a time.
            uInt n = static_cast<uInt>(length > (1u << 30) ? (1u << 30) : length);
            z_.next_in = const_cast<Bytef*>(p);
            z_.avail_in = n;
            while (z_.avail_in > 0) pump(Z_NO_FLUSH);
            p += n;
            length -= n;
        }
    }

    // Finishes this gzip member (its CRC and length trailer); deflateReset makes the next
    // write start a new member with its own header, as pigz and concatenated files have.
    void end_frame() override {
        if (!dirty_) return;  // an empty member would only add 20 bytes
        while (pump(Z_FINISH) != Z_STREAM_END) {
        }
        if (deflateReset(&z_) != Z_OK) throw Error(ExitCode::internal, "gzip: cannot start a new member");
        dirty_ = false;
    }

    void close() override {
        // A stream always has at least one member, even for no data at all.
        if (dirty_ || !any_member_) {
            while (pump(Z_FINISH) != Z_STREAM_END) {
            }
        }
        out_.close();
    }

private:
    int pump(int flush) {
        z_.next_out = buffer_.data();
        z_.avail_out = static_cast<uInt>(buffer_.size());
        int rc = deflate(&z_, flush);
        if (rc == Z_STREAM_ERROR) throw Error(ExitCode::internal, "gzip: compressor failed");
        std::size_t produced = buffer_.size() - z_.avail_out;
        if (produced > 0) out_.write(buffer_.data(), produced);
        return rc;
    }

    ByteSink& out_;
    z_stream z_{};
    std::vector<Bytef> buffer_;
    bool dirty_ = false;       // data went into the current member
    bool any_member_ = false;  // at least one member was (or is being) written
};

class GzipDecompressor : public ByteSource {
public:
    GzipDecompressor(ByteSource& in, std::string what) : in_(in), what_(std::move(what)), input_(1 << 20) {
        if (inflateInit2(&z_, 15 + 32) != Z_OK) throw Error(ExitCode::internal, "gzip: cannot initialise");
    }
    ~GzipDecompressor() override { inflateEnd(&z_); }

    std::size_t read(void* buffer, std::size_t length) override {
        z_.next_out = static_cast<Bytef*>(buffer);
        z_.avail_out = static_cast<uInt>(length > (1u << 30) ? (1u << 30) : length);
        uInt wanted = z_.avail_out;
        while (z_.avail_out == wanted) {
            if (z_.avail_in == 0) {
                std::size_t n = in_.read(input_.data(), input_.size());
                if (n == 0) {
                    if (member_open_)
                        throw Error(ExitCode::image_corrupt,
                                    what_ + ": the gzip data ends in the middle (truncated file or "
                                            "missing split piece)");
                    return 0;
                }
                z_.next_in = input_.data();
                z_.avail_in = static_cast<uInt>(n);
            }
            int rc = inflate(&z_, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) {
                member_open_ = false;
                inflateReset(&z_);  // another member may follow
            } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
                member_open_ = true;
            } else {
                throw Error(ExitCode::image_corrupt,
                            what_ + ": gzip data is corrupt (" + (z_.msg ? z_.msg : "inflate failed") + ")");
            }
        }
        return wanted - z_.avail_out;
    }

private:
    ByteSource& in_;
    std::string what_;
    z_stream z_{};
    std::vector<Bytef> input_;
    bool member_open_ = false;
};

bool gzip_magic(const std::uint8_t* b, std::size_t n) { return n >= 2 && b[0] == 0x1F && b[1] == 0x8B; }

}  // namespace

Codec gzip_codec() {
    Codec c;
    c.name = "gzip";
    c.suffix = "gz";
    c.default_level = 6;
    c.min_level = 1;
    c.max_level = 9;
    c.make_compressor = [](ByteSink& out, const CompressOptions& o) -> std::unique_ptr<Compressor> {
        return std::make_unique<GzipCompressor>(out, o);
    };
    c.make_decompressor = [](ByteSource& in, const std::string& what) -> std::unique_ptr<ByteSource> {
        return std::make_unique<GzipDecompressor>(in, what);
    };
    c.has_magic = gzip_magic;
    return c;
}

}  // namespace kura
