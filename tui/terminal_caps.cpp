#include "tui/terminal_caps.h"

#include <langinfo.h>
#include <linux/kd.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace kura::tui {
namespace {

bool utf8_codeset() {
    const char* codeset = nl_langinfo(CODESET);
    return codeset != nullptr && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0);
}

// KDGKBTYPE is a console keyboard ioctl: only a Linux virtual console (tty1..tty63,
// /dev/console on one) answers it; a serial line, a pseudo-terminal (ssh, xterm, tmux) or a
// pipe refuses it. The menu draws on stdout, so stdout is the terminal in question.
bool is_linux_virtual_console(int fd) {
    char keyboard_type = 0;
    return ::ioctl(fd, KDGKBTYPE, &keyboard_type) == 0;
}

bool environment_is(const char* name, std::string_view value) {
    const char* set = std::getenv(name);
    return set != nullptr && value == set;
}

}  // namespace

bool terminal_can_show_japanese() {
    if (!utf8_codeset()) return false;
    if (!is_linux_virtual_console(STDOUT_FILENO)) return true;
    // A program that draws CJK on the console's framebuffer with its own fonts (fbterm)
    // normally gives the menu a pseudo-terminal, and the test above has passed already.
    // When the menu still holds the console's own tty, TERM=fbterm or KURA_CJK_TERMINAL=1
    // vouch that such a program, not the kernel's font, shows the text.
    return environment_is("TERM", "fbterm") || environment_is("KURA_CJK_TERMINAL", "1");
}

}  // namespace kura::tui
