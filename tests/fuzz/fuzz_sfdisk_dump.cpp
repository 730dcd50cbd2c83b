// libFuzzer target: bytes as a `<disk>-pt.sf`. A table that parses has passed the whole
// validation; kura's own dump of it must parse again. Damage must be Error(image_corrupt).
#include "core/error.h"
#include "fuzz_input.h"
#include "ptable/clonezilla_table_files.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kura::PartitionTable table;
    try {
        table = kura::parse_sfdisk_dump(kura::fuzz::as_text(data, size));
    } catch (const kura::Error& e) {
        if (e.code() != kura::ExitCode::image_corrupt) __builtin_trap();
        return 0;
    }
    // A valid table written back the way savedisk writes it reads back: anything else is a
    // disagreement between the writer and the parser.
    try {
        kura::parse_sfdisk_dump(kura::sfdisk_dump_text(table, "sda"));
    } catch (const kura::Error&) {
        __builtin_trap();
    }
    return 0;
}
