// libFuzzer target: bytes as a kura-manifest. A manifest that parses must print and parse
// back the same way; anything unreadable must be Error(image_corrupt).
#include "core/error.h"
#include "fuzz_input.h"
#include "image/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        kura::Manifest m = kura::Manifest::parse(kura::fuzz::as_text(data, size));
        kura::Manifest::parse(m.to_text());
    } catch (const kura::Error& e) {
        if (e.code() != kura::ExitCode::image_corrupt) __builtin_trap();
    }
    return 0;
}
