// "uncomp": Clonezilla's name for a stream stored as it is (-z0).
#include "codec/codec.h"

namespace kura {
namespace {

class PassThroughSink : public Compressor {
public:
    explicit PassThroughSink(ByteSink& out) : out_(out) {}
    void write(const void* data, std::size_t length) override { out_.write(data, length); }
    void end_frame() override {}  // nothing is held back
    void close() override { out_.close(); }

private:
    ByteSink& out_;
};

class PassThroughSource : public ByteSource {
public:
    explicit PassThroughSource(ByteSource& in) : in_(in) {}
    std::size_t read(void* buffer, std::size_t length) override { return in_.read(buffer, length); }

private:
    ByteSource& in_;
};

}  // namespace

Codec uncompressed_codec() {
    Codec c;
    c.name = "none";
    c.suffix = "uncomp";
    c.make_compressor = [](ByteSink& out, const CompressOptions&) -> std::unique_ptr<Compressor> {
        return std::make_unique<PassThroughSink>(out);
    };
    c.make_decompressor = [](ByteSource& in, const std::string&) -> std::unique_ptr<ByteSource> {
        return std::make_unique<PassThroughSource>(in);
    };
    c.has_magic = [](const std::uint8_t*, std::size_t) { return true; };
    return c;
}

}  // namespace kura
