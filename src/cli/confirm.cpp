#include "cli/confirm.h"

#include "core/error.h"

#include <cstdio>
#include <iostream>
#include <string>

#include <unistd.h>

namespace kura::cli {

bool confirm_on_terminal(int times) {
    if (!isatty(STDIN_FILENO))
        throw Error(ExitCode::cancelled,
                    "nothing was written: a restore must be confirmed, and standard input is not a "
                    "terminal; pass --yes to confirm in advance");
    for (int i = 0; i < times; ++i) {
        if (i > 0) std::fprintf(stderr, "Let me ask you again.\n");
        for (;;) {
            std::fprintf(stderr, "Are you sure you want to continue? (y/n) ");
            std::fflush(stderr);
            std::string answer;
            if (!std::getline(std::cin, answer)) return false;
            if (answer == "y" || answer == "Y" || answer == "yes") break;
            if (answer == "n" || answer == "N" || answer == "no") return false;
        }
    }
    return true;
}

}  // namespace kura::cli
