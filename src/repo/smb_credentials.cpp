#include "repo/smb_credentials.h"

#include "core/error.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace kura {
namespace {

std::string& credentials_file() {
    static std::string path;
    return path;
}

// Set by the menu's thread, read by whichever thread opens the repository.
std::mutex password_mutex;
std::string program_password;
std::string environment_password;  // KURA_SMB_PASSWORD's, once taken out of the environment

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// smbclient's format: "username = u", "password = p", "domain = d"; '#' starts a comment.
SmbCredentials read_credentials_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(ExitCode::usage, "--smb-credentials " + path + ": cannot read the file");
    SmbCredentials c;
    std::string line;
    while (std::getline(in, line)) {
        if (trim(line).empty() || trim(line)[0] == '#') continue;
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
        if (key == "username" || key == "user") {
            // smbclient also accepts DOMAIN/user or DOMAIN\user here.
            auto sep = value.find_first_of("/\\");
            if (sep != std::string::npos) {
                c.domain = value.substr(0, sep);
                value = value.substr(sep + 1);
            }
            c.user = value;
        } else if (key == "password" || key == "pass") {
            c.password = value;
        } else if (key == "domain" || key == "workgroup") {
            c.domain = value;
        }
    }
    return c;
}

// Reads a line from /dev/tty with echo off; returns false when there is no terminal.
bool prompt_password(const std::string& prompt, std::string& password) {
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return false;
    termios old{};
    bool have_termios = ::tcgetattr(fd, &old) == 0;
    if (have_termios) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    (void)!::write(fd, prompt.data(), prompt.size());
    password.clear();
    char ch;
    while (::read(fd, &ch, 1) == 1 && ch != '\n') password += ch;
    (void)!::write(fd, "\n", 1);
    if (have_termios) ::tcsetattr(fd, TCSAFLUSH, &old);
    ::close(fd);
    return true;
}

}  // namespace

void set_smb_credentials_file(const std::string& path) { credentials_file() = path; }

void take_smb_password_from_environment() {
    std::lock_guard lock(password_mutex);
    char* value = std::getenv("KURA_SMB_PASSWORD");
    if (!value) return;
    environment_password = value;
    std::memset(value, 0, std::strlen(value));
    ::unsetenv("KURA_SMB_PASSWORD");
}

bool smb_password_from_environment() {
    take_smb_password_from_environment();
    std::lock_guard lock(password_mutex);
    return !environment_password.empty();
}

void set_smb_password(std::string password) {
    std::lock_guard lock(password_mutex);
    program_password = std::move(password);
}

SmbCredentials resolve_smb_credentials(const std::string& url_domain, const std::string& url_user,
                                       const std::string& where) {
    SmbCredentials c;
    std::string file = credentials_file();
    if (file.empty())
        if (const char* env = std::getenv("KURA_SMB_CREDENTIALS")) file = env;
    if (!file.empty()) c = read_credentials_file(file);
    if (!url_user.empty()) c.user = url_user;
    if (!url_domain.empty()) c.domain = url_domain;
    take_smb_password_from_environment();
    {
        std::lock_guard lock(password_mutex);
        if (!environment_password.empty()) c.password = environment_password;
        if (!program_password.empty()) c.password = program_password;
    }
    if (c.user.empty())
        throw Error(ExitCode::usage, "--repo " + where +
                                         ": no SMB user: write smb://user@server/share or give --smb-credentials FILE");
    if (c.password.empty() && !prompt_password("SMB password for " + c.user + " on " + where + ": ", c.password))
        throw Error(ExitCode::usage, "no SMB password for " + c.user + " on " + where +
                                         ": set KURA_SMB_PASSWORD, give --smb-credentials FILE, or run on a terminal");
    return c;
}

}  // namespace kura
