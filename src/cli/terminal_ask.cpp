#include "cli/terminal_ask.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace kura::cli {
namespace {

// Reads one line from /dev/tty after `prompt`, echo off for a secret; nullopt when there
// is no terminal.
std::optional<std::string> ask_on_tty(const AskRequest& question) {
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return std::nullopt;
    termios old{};
    bool quiet = question.kind == AskRequest::Kind::secret && ::tcgetattr(fd, &old) == 0;
    if (quiet) {
        termios no_echo = old;
        no_echo.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &no_echo);
    }
    std::string prompt = question.prompt + (question.kind == AskRequest::Kind::yes_no ? "[y/n] " : "");
    (void)!::write(fd, prompt.data(), prompt.size());
    std::string answer;
    char ch;
    while (::read(fd, &ch, 1) == 1 && ch != '\n') answer += ch;
    if (quiet) {
        (void)!::write(fd, "\n", 1);  // the Enter the operator typed was not echoed
        ::tcsetattr(fd, TCSAFLUSH, &old);
    }
    ::close(fd);
    if (question.kind == AskRequest::Kind::yes_no) return std::string(answer == "y" || answer == "Y" ? "y" : "n");
    return answer;
}

}  // namespace

AskFunction terminal_ask() { return ask_on_tty; }

}  // namespace kura::cli
