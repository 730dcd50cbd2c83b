// Where an SMB password comes from: KURA_SMB_PASSWORD, a credentials file in smbclient's
// format (username=/password=/domain= lines, given with --smb-credentials or
// KURA_SMB_CREDENTIALS), or a prompt on the terminal. Never the command line, and the
// password never enters a message, the log, or anything written beside an image.
#pragma once

#include <string>

namespace kura {

struct SmbCredentials {
    std::string domain;
    std::string user;
    std::string password;
};

// Remembers the --smb-credentials file for the repository opened later ("" = none).
void set_smb_credentials_file(const std::string& path);

// Fills in what the URL did not say. `where` names the share for the prompt.
SmbCredentials resolve_smb_credentials(const std::string& url_domain, const std::string& url_user,
                                       const std::string& where);

}  // namespace kura
