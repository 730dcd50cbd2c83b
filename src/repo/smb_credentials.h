// Where an SMB password comes from: the program itself (the text menu asked for it),
// KURA_SMB_PASSWORD, a credentials file in smbclient's format (username=/password=/domain=
// lines, given with --smb-credentials or KURA_SMB_CREDENTIALS), or a prompt on the
// terminal. Never the command line, and the password never enters a message, the log, or
// anything written beside an image.
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

// A password the program already has (kura-menu asks for it on a masked line), used
// before KURA_SMB_PASSWORD, the credentials file's and the prompt for every SMB
// repository opened later in this process; "" forgets it. Kept in memory only.
void set_smb_password(std::string password);

// Moves KURA_SMB_PASSWORD out of the environment into memory: unset, and its value
// overwritten where the process's environment block keeps it (/proc/PID/environ shows
// that block), so that no child tool (fsck, mkswap, a shell) inherits it and no other
// process reads it there. Both main()s call it before any thread starts; it is called
// again, harmlessly, by everything that looks for the password.
void take_smb_password_from_environment();
// Whether KURA_SMB_PASSWORD gave a password (read from memory once it was taken).
bool smb_password_from_environment();

// Fills in what the URL did not say. `where` names the share for the prompt.
SmbCredentials resolve_smb_credentials(const std::string& url_domain, const std::string& url_user,
                                       const std::string& where);

}  // namespace kura
