// zstd: kura's default. Written as standard frames (with the content checksum the zstd
// tool also writes) by libzstd's multi-threaded compressor, so `zstd -d` decodes them.
#include "codec/codec.h"
#include "core/error.h"

#include <zstd.h>

#include <vector>

namespace kura {
namespace {

void check(std::size_t rc, const std::string& what) {
    if (ZSTD_isError(rc)) throw Error(ExitCode::internal, what + ": " + ZSTD_getErrorName(rc));
}

class ZstdCompressor : public Compressor {
public:
    ZstdCompressor(ByteSink& out, const CompressOptions& o) : out_(out), buffer_(ZSTD_CStreamOutSize() * 8) {
        ctx_ = ZSTD_createCCtx();
        if (!ctx_) throw Error(ExitCode::internal, "zstd: out of memory");
        check(ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, o.level), "zstd level");
        check(ZSTD_CCtx_setParameter(ctx_, ZSTD_c_checksumFlag, 1), "zstd checksum");
        // With workers, libzstd compresses jobs in parallel and still emits one ordered frame.
        if (o.threads > 1) check(ZSTD_CCtx_setParameter(ctx_, ZSTD_c_nbWorkers, o.threads), "zstd workers");
    }
    ~ZstdCompressor() override { ZSTD_freeCCtx(ctx_); }

    void write(const void* data, std::size_t length) override {
        ZSTD_inBuffer in{data, length, 0};
        while (in.pos < in.size) pump(in, ZSTD_e_continue);
    }

    // After ZSTD_e_end the context starts the next frame by itself, with the same
    // parameters (level, checksum, workers).
    void end_frame() override {
        ZSTD_inBuffer in{nullptr, 0, 0};
        while (pump(in, ZSTD_e_end) != 0) {
        }
    }

    void close() override {
        end_frame();
        out_.close();
    }

private:
    std::size_t pump(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
        ZSTD_outBuffer out{buffer_.data(), buffer_.size(), 0};
        std::size_t remaining = ZSTD_compressStream2(ctx_, &out, &in, mode);
        check(remaining, "zstd compression");
        if (out.pos > 0) out_.write(buffer_.data(), out.pos);
        return remaining;
    }

    ByteSink& out_;
    ZSTD_CCtx* ctx_ = nullptr;
    std::vector<std::uint8_t> buffer_;
};

class ZstdDecompressor : public ByteSource {
public:
    ZstdDecompressor(ByteSource& in, std::string what)
        : in_(in), what_(std::move(what)), input_(ZSTD_DStreamInSize() * 8) {
        ctx_ = ZSTD_createDCtx();
        if (!ctx_) throw Error(ExitCode::internal, "zstd: out of memory");
        // Accept frames made with large windows (zstd --long), as the zstd tool can.
        ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, 31);
    }
    ~ZstdDecompressor() override { ZSTD_freeDCtx(ctx_); }

    std::size_t read(void* buffer, std::size_t length) override {
        ZSTD_outBuffer out{buffer, length, 0};
        while (out.pos == 0) {
            if (in_buf_.pos == in_buf_.size) {
                std::size_t n = in_.read(input_.data(), input_.size());
                if (n == 0) {
                    if (frame_open_)
                        throw Error(ExitCode::image_corrupt,
                                    what_ + ": the compressed data ends in the middle of a zstd frame "
                                            "(truncated file or missing split piece)");
                    return 0;
                }
                in_buf_ = ZSTD_inBuffer{input_.data(), n, 0};
            }
            std::size_t rc = ZSTD_decompressStream(ctx_, &out, &in_buf_);
            if (ZSTD_isError(rc))
                throw Error(ExitCode::image_corrupt, what_ + ": zstd data is corrupt (" +
                                                         std::string(ZSTD_getErrorName(rc)) + ")");
            frame_open_ = rc != 0;
        }
        return out.pos;
    }

private:
    ByteSource& in_;
    std::string what_;
    ZSTD_DCtx* ctx_ = nullptr;
    std::vector<std::uint8_t> input_;
    ZSTD_inBuffer in_buf_{nullptr, 0, 0};
    bool frame_open_ = false;
};

bool zstd_magic(const std::uint8_t* b, std::size_t n) {
    return n >= 4 && b[0] == 0x28 && b[1] == 0xB5 && b[2] == 0x2F && b[3] == 0xFD;
}

}  // namespace

Codec zstd_codec() {
    Codec c;
    c.name = "zstd";
    c.suffix = "zst";
    c.default_level = 3;  // what Clonezilla's -z9 runs (zstd -3)
    c.min_level = 1;
    c.max_level = 19;
    c.make_compressor = [](ByteSink& out, const CompressOptions& o) -> std::unique_ptr<Compressor> {
        return std::make_unique<ZstdCompressor>(out, o);
    };
    c.make_decompressor = [](ByteSource& in, const std::string& what) -> std::unique_ptr<ByteSource> {
        return std::make_unique<ZstdDecompressor>(in, what);
    };
    c.has_magic = zstd_magic;
    return c;
}

}  // namespace kura
