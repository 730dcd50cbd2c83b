// The engine's own sentences inside the menu's screens: a message with a stable id
// (core/message.h) is said in the operator's language from the catalogs' "engine.<id>"
// entries; one without id, or an id the catalogs do not know, stays the engine's English.
// The equivalent command line and the log stay English whatever the screen's language.
#pragma once

#include "core/message.h"
#include "tui/catalog.h"

#include <exception>
#include <string>

namespace kura::tui {

std::string engine_text(Language language, const Message& message);
// A kura::Error's message; any other exception's what().
std::string engine_text(Language language, const std::exception& error);

}  // namespace kura::tui
