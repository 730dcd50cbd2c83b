// Where an SMB password comes from: what the front already has (kura-menu's masked line,
// KURA_SMB_PASSWORD), a credentials file in smbclient's format (username=/password=/domain=
// lines, given with --smb-credentials or KURA_SMB_CREDENTIALS), or the front's ask callback
// (the CLI's prompt on its terminal). Never the command line, and the password never
// enters a message, the log, or anything written beside an image. The engine opens no
// terminal and reads no environment variable here: the fronts do (RepositoryOptions).
#pragma once

#include "repo/repository_options.h"

#include <string>

namespace kura {

struct SmbCredentials {
    std::string domain;
    std::string user;
    std::string password;
};

// Moves KURA_SMB_PASSWORD out of the environment into the returned string: `value` is the
// variable's value as the front read it from its environment (nullptr: none, "" returned). The variable is
// unset and its value overwritten where the process's environment block keeps it
// (/proc/PID/environ shows that block), so that no child tool (fsck, mkswap, a shell)
// inherits it and no other process reads it there. Both main()s call it before any thread starts.
std::string take_smb_password_from_environment(char* value);

// Fills in what the URL did not say from `options`. `where` names the share for the question.
SmbCredentials resolve_smb_credentials(const std::string& url_domain, const std::string& url_user,
                                       const std::string& where, const RepositoryOptions& options);

}  // namespace kura
