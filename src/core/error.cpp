#include "core/error.h"

#include <cstring>

namespace kura {

std::string errno_text(const std::string& what, int err) {
    return what + ": " + std::strerror(err);
}

void throw_errno(ExitCode code, const std::string& what, int err) {
    throw Error(code, errno_text(what, err));
}

}  // namespace kura
