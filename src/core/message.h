// A sentence for people that a front end may show in another language: the English text
// the CLI prints, and optionally a stable id with the values in it by name, so kura-menu's
// catalogs can say it in Japanese (tui/engine_messages.h: "engine.<id>" entries). A message
// without id is shown as it is, in English. The ids are part of the menu's interface:
// renaming one loses its translation (the English text is then shown instead).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace kura {

using MessageArgs = std::vector<std::pair<std::string, std::string>>;

struct Message {
    std::string id;    // "repo.ntfs_3g_failed"; empty: no translation
    std::string text;  // English, with the values filled in
    MessageArgs args;  // the values, by the names the catalogs' {placeholders} use

    Message() = default;
    // Plain English warnings stay plain strings at the sites that make them.
    Message(std::string english) : text(std::move(english)) {}  // NOLINT(google-explicit-constructor)
    Message(const char* english) : text(english) {}             // NOLINT(google-explicit-constructor)
    Message(std::string message_id, std::string english, MessageArgs values)
        : id(std::move(message_id)), text(std::move(english)), args(std::move(values)) {}
};

}  // namespace kura
