#include "repo/smb_credentials.h"

#include "core/error.h"

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace kura {
namespace {

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

}  // namespace

std::string take_smb_password_from_environment(char* value) {
    if (!value) return "";
    std::string password = value;
    std::memset(value, 0, std::strlen(value));
    ::unsetenv("KURA_SMB_PASSWORD");
    return password;
}

SmbCredentials resolve_smb_credentials(const std::string& url_domain, const std::string& url_user,
                                       const std::string& where, const RepositoryOptions& options) {
    SmbCredentials c;
    if (!options.smb_credentials_file.empty()) c = read_credentials_file(options.smb_credentials_file);
    if (!url_user.empty()) c.user = url_user;
    if (!url_domain.empty()) c.domain = url_domain;
    if (!options.smb_password.empty()) c.password = options.smb_password;
    if (c.user.empty())
        throw Error(ExitCode::usage, "--repo " + where +
                                         ": no SMB user: write smb://user@server/share or give --smb-credentials FILE");
    if (!c.password.empty()) return c;
    if (options.ask) {
        AskRequest question;
        question.kind = AskRequest::Kind::secret;
        question.id = "smb.password";
        question.prompt = "SMB password for " + c.user + " on " + where + ": ";
        question.args = {{"user", c.user}, {"share", where}};
        // An answer is taken as given, even empty (an account without a password).
        if (auto answer = options.ask(question)) {
            c.password = std::move(*answer);
            return c;
        }
    }
    throw Error(ExitCode::usage, "no SMB password for " + c.user + " on " + where +
                                     ": set KURA_SMB_PASSWORD, give --smb-credentials FILE, or run on a terminal");
}

}  // namespace kura
