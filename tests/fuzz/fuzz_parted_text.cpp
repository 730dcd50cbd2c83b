// libFuzzer target: bytes as a `<disk>-pt.parted`. Damage must be Error(image_corrupt).
#include "core/error.h"
#include "fuzz_input.h"
#include "ptable/clonezilla_table_files.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        if (kura::parted_disk_sectors(kura::fuzz::as_text(data, size)) == 0) __builtin_trap();
    } catch (const kura::Error& e) {
        if (e.code() != kura::ExitCode::image_corrupt) __builtin_trap();
    }
    return 0;
}
