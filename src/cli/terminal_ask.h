// The CLI's answer to the engine's questions (core/ask.h): asked on the controlling
// terminal, /dev/tty, so it works with stdin and stdout redirected; a secret is typed
// without echo. Without a terminal nothing can be asked (nullopt).
#pragma once

#include "core/ask.h"

namespace kura::cli {

AskFunction terminal_ask();

}  // namespace kura::cli
