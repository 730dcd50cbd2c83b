// libFuzzer target: bytes as the body of a resume journal (.kura-resume.a), sealed here with
// the SHA-256 line its writer adds - a forger can compute one too, so the fuzzer gets past
// it to the records. Damage must be Error(image_corrupt).
#include "core/error.h"
#include "core/sha256.h"
#include "fuzz_input.h"
#include "ops/save_journal.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string body = kura::fuzz::as_text(data, size);
    if (!body.empty() && body.back() != '\n') body += '\n';
    kura::Sha256 digest;
    digest.update(body.data(), body.size());
    std::string text = body + "sha256 " + digest.hex_digest() + "\n";
    try {
        kura::SaveJournal j = kura::SaveJournal::parse(text, "fuzz");
        kura::SaveJournal::parse(j.to_text(), "fuzz");  // what it holds writes and reads back
    } catch (const kura::Error& e) {
        if (e.code() != kura::ExitCode::image_corrupt) __builtin_trap();
    }
    return 0;
}
