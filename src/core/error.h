// Errors the engine reports to a person. Each carries the exit code the CLI returns,
// so the stable codes documented in docs/cli.md come from one place.
#pragma once

#include "core/message.h"

#include <stdexcept>
#include <string>

namespace kura {

enum class ExitCode : int {
    ok = 0,
    internal = 1,          // a bug or an unexpected library failure
    usage = 2,             // bad command line
    image_not_found = 3,   // image directory or data file missing / unreadable
    image_corrupt = 4,     // bad header, checksum mismatch, truncated stream, missing split piece
    source_unsupported = 5,// not a filesystem kura images, or one that is not clean
    target_refused = 6,    // mounted, in use, too small, missing, the running system's disk
    io_error = 7,          // read/write failure on a device or in the repository
    cancelled = 8,         // the operator said no, interrupted, or no terminal to ask on
};

class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code), message_(message) {}
    // A message a front end may translate (core/message.h); what() stays its English text.
    Error(ExitCode code, std::string message_id, const std::string& english, MessageArgs args)
        : std::runtime_error(english), code_(code), message_(std::move(message_id), english, std::move(args)) {}
    ExitCode code() const { return code_; }
    const Message& message() const { return message_; }

private:
    ExitCode code_;
    Message message_;
};

// Formats "what: strerror(errno)" for system-call failures.
std::string errno_text(const std::string& what, int err);

[[noreturn]] void throw_errno(ExitCode code, const std::string& what, int err);

}  // namespace kura
