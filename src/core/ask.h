// Questions the engine needs the operator to answer, asked through the job's front (as
// libfdisk's fdisk_set_ask): the CLI asks on its terminal, kura-menu on a masked line of
// its own screen, an unattended run answers nothing. The engine never opens /dev/tty.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace kura {

struct AskRequest {
    enum class Kind { secret, text, yes_no };
    Kind kind = Kind::text;
    std::string id;                           // a message id, e.g. "smb.password" (core/message.h)
    std::string prompt;                       // the English question
    std::map<std::string, std::string> args;  // what the question names, e.g. {"share", "//host/share"}
};

// The answer, or nullopt when nobody can answer (no terminal, the operator declined).
// yes_no answers "y" or "n".
using AskFunction = std::function<std::optional<std::string>(const AskRequest&)>;

}  // namespace kura
