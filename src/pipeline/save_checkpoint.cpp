#include "pipeline/save_checkpoint.h"

#include "core/error.h"

namespace kura {

std::uint64_t parse_checkpoint_bytes(const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 15)
        throw Error(ExitCode::usage, "KURA_CHECKPOINT_BYTES='" + text + "' is not a number of bytes");
    return std::stoull(text);
}

}  // namespace kura
