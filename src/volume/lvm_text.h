// lvm2's configuration syntax, the language of VG metadata both in a metadata area and in
// a vgcfgbackup file: `key = value`, `name { ... }`, values that are integers, "strings"
// or [lists], `#` comments. A strict tokenizer and tree builder with every size bounded,
// because the text comes from a disk being saved or from an image (hostile input).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace kura {

using LvmTextScalar = std::variant<std::int64_t, std::string>;

struct LvmTextNode {
    std::string key;
    bool is_section = false;
    bool is_list = false;                  // `key = [ ... ]`
    std::vector<LvmTextScalar> values;     // one for `key = value`, any number for a list
    std::vector<LvmTextNode> children;     // for a section
    int line = 0;                          // where it starts, for messages

    const LvmTextNode* find(const std::string& name) const;
};

// The top level as a section without a name. Throws std::invalid_argument with the line
// and what is wrong; the metadata parser turns that into kura's Error.
LvmTextNode parse_lvm_text(const std::string& text);

}  // namespace kura
