// Commands written for a person to run again: Info-saved-by-cmd.txt, the log, and the
// menu's "the same job as a kura command". Quoted for a POSIX shell so that pasting one
// runs exactly the arguments it shows.
#pragma once

#include <string>
#include <vector>

namespace kura {

// `word` as one shell word: unchanged when it holds only characters no shell treats
// specially (letters, digits, - _ . / : , + = @ %), else in single quotes (a ' inside
// becomes '\'').
std::string shell_quote(const std::string& word);

// The words quoted and joined by spaces.
std::string shell_command_line(const std::vector<std::string>& argv);

}  // namespace kura
