#include "pipeline/save_checkpoint.h"

#include "core/error.h"

#include <cstdlib>
#include <string>

namespace kura {

std::uint64_t default_checkpoint_interval() {
    constexpr std::uint64_t kDefault = 64ull << 20;
    const char* env = std::getenv("KURA_CHECKPOINT_BYTES");
    if (!env || !*env) return kDefault;
    std::string text = env;
    if (text.find_first_not_of("0123456789") != std::string::npos || text.size() > 15)
        throw Error(ExitCode::usage, "KURA_CHECKPOINT_BYTES='" + text + "' is not a number of bytes");
    return std::stoull(text);
}

}  // namespace kura
