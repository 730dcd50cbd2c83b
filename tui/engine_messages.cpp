#include "tui/engine_messages.h"

#include "core/error.h"

namespace kura::tui {

std::string engine_text(Language language, const Message& message) {
    if (message.id.empty()) return message.text;
    const std::string key = "engine." + message.id;
    // English screens show the engine's own words, exactly as the CLI prints them.
    if (language == Language::en || !has_text(language, key)) return message.text;
    return tr_values(language, key, message.args);
}

std::string engine_text(Language language, const std::exception& error) {
    if (const auto* e = dynamic_cast<const Error*>(&error)) return engine_text(language, e->message());
    return error.what();
}

}  // namespace kura::tui
