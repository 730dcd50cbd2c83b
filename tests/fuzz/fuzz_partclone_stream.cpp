// libFuzzer target: bytes as a partition's decompressed data stream, through the decoder a
// restore uses (make_stream_decoder: Partclone v1/v2 or ntfsclone by magic). Damage must be
// Error(image_corrupt); anything else (a crash, a sanitizer report, another exception) is
// a bug.
#include "core/error.h"
#include "fuzz_input.h"
#include "image/stream_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint64_t placed = 0;
    auto decoder = kura::make_stream_decoder("fuzz", [&](kura::BlockGroup&& group) {
        for (const auto& run : group.runs) placed += run.count;
    });
    try {
        kura::fuzz::feed_in_pieces(data, size, [&](const std::uint8_t* p, std::size_t n) { decoder->feed(p, n); });
        decoder->finish();
    } catch (const kura::Error& e) {
        if (e.code() != kura::ExitCode::image_corrupt) __builtin_trap();
    }
    return 0;
}
