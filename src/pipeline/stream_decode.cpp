#include "pipeline/stream_decode.h"

#include "codec/foreign_compression.h"
#include "core/cancel.h"
#include "core/error.h"
#include "core/log.h"
#include "core/stage_thread.h"
#include "image/raw_stream_decoder.h"
#include "image/split_files.h"

namespace kura {
namespace {

constexpr std::size_t kChunk = 4u << 20;
constexpr std::size_t kDepth = 4;

std::string stream_label(const std::string& image_dir, const DataFiles& files) {
    return image_dir + "/" + files.names.front() + (files.names.size() > 1 ? " (+ pieces)" : "");
}

// A dd stream has no magic to recognise it by: its file name says what it is.
std::unique_ptr<StreamDecoder> decoder_for(const DataFiles& files, StreamDecoder::GroupHandler on_group,
                                           StreamDecoder::StartHandler on_start = {}) {
    if (files.fs_type == "dd")
        return std::make_unique<RawStreamDecoder>(files.part, std::move(on_group), std::move(on_start));
    return make_stream_decoder(files.part, std::move(on_group), std::move(on_start));
}

}  // namespace

const Codec& stream_codec(const Repository& repo, const std::string& image_dir, const DataFiles& files) {
    if (files.codec) return *files.codec;
    auto source = repo.open_file(image_dir + "/" + files.names.front());
    std::uint8_t magic[8] = {};
    std::size_t n = read_fully(*source, magic, sizeof magic);
    const Codec& codec = *codec_by_magic(magic, n);
    // The uncompressed codec takes any bytes; a compressor kura lacks must not pass as it.
    if (codec.suffix == "uncomp")
        if (const char* foreign = foreign_compression_by_magic(magic, n))
            throw Error(ExitCode::image_corrupt, image_dir + "/" + files.names.front() +
                                                     ": unsupported compression " + foreign +
                                                     " (kura reads zst, gz and uncompressed streams)");
    return codec;
}

PartcloneHeader read_stream_header(const Repository& repo, const std::string& image_dir, const DataFiles& files) {
    SplitReader pieces(repo, image_dir, files.names, files.sha256);
    const Codec& codec = stream_codec(repo, image_dir, files);
    auto decompressed = codec.make_decompressor(pieces, stream_label(image_dir, files));
    auto decoder = decoder_for(files, [](BlockGroup&&) {});
    std::uint8_t buffer[4096];
    while (!decoder->header_ready()) {
        std::size_t n = decompressed->read(buffer, sizeof buffer);
        if (n == 0) break;
        decoder->feed(buffer, n);
    }
    if (!decoder->header_ready())
        throw Error(ExitCode::image_corrupt, files.part + ": the image ends before its header");
    return decoder->header();
}

DecodedStream decode_stream(const Repository& repo, const std::string& image_dir, const DataFiles& files,
                            const StreamDecoder::StartHandler& on_start,
                            const StreamDecoder::GroupHandler& on_group, Progress* progress,
                            const CancelToken& cancel) {
    SplitReader pieces(repo, image_dir, files.names, files.sha256);
    ThreadedSource file_stage(pieces, kChunk, kDepth);
    const Codec& codec = stream_codec(repo, image_dir, files);
    auto decompressed = codec.make_decompressor(file_stage, stream_label(image_dir, files));
    ThreadedSource decompress_stage(*decompressed, kChunk, kDepth);

    auto decoder = decoder_for(
        files,
        [&](BlockGroup&& group) {
            if (progress) progress->add(group.data.size());
            on_group(std::move(group));
        },
        on_start);
    Buffer chunk;
    while (decompress_stage.next(chunk)) {
        cancel.throw_if_requested();
        decoder->feed(chunk.data(), chunk.size());
    }
    decoder->finish();
    // Every piece was read to its end by now (the stages saw end of stream).
    pieces.check_sha256();
    if (decoder->trailing_bytes() > 0)
        log::warn(files.part + ": " + std::to_string(decoder->trailing_bytes()) +
                  " bytes follow the end of the Partclone stream; ignored");
    return {decoder->header(), decoder->used_blocks(), decoder->trailing_bytes()};
}

}  // namespace kura
