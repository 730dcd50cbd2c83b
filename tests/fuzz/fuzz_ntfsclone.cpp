// libFuzzer target: bytes as an ntfsclone special image, straight into NtfscloneDecoder
// (so inputs need not find the magic first). Damage must be Error(image_corrupt).
#include "core/error.h"
#include "fuzz_input.h"
#include "image/ntfsclone_decoder.h"

#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The magic is prepended when missing, so the fuzzer spends its time past it.
    std::vector<std::uint8_t> input(data, data + size);
    if (size < 2 || std::memcmp(data + 1, kura::ntfsclone_magic, std::min(size - 1, sizeof kura::ntfsclone_magic)))
        input.insert(input.begin() + (size > 0 ? 1 : 0), kura::ntfsclone_magic,
                     kura::ntfsclone_magic + sizeof kura::ntfsclone_magic);
    kura::NtfscloneDecoder decoder("fuzz", [](kura::BlockGroup&&) {});
    try {
        kura::fuzz::feed_in_pieces(input.data(), input.size(),
                                   [&](const std::uint8_t* p, std::size_t n) { decoder.feed(p, n); });
        decoder.finish();
    } catch (const kura::Error& e) {
        if (e.code() != kura::ExitCode::image_corrupt) __builtin_trap();
    }
    return 0;
}
