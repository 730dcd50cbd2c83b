// What opening a repository may need besides its location, given by the front that opens
// it: the engine reads no environment variable and opens no terminal itself. The `kura`
// CLI fills it from --smb-credentials, KURA_SMB_CREDENTIALS, KURA_SMB_PASSWORD and a
// prompt on its terminal; kura-menu from the same variables and its masked password line.
#pragma once

#include "core/ask.h"

#include <string>

namespace kura {

struct RepositoryOptions {
    // smbclient's format (username=/password=/domain= lines); "" = none.
    std::string smb_credentials_file;
    // A password the front already has (KURA_SMB_PASSWORD, the menu's masked line): used
    // before the credentials file's. Kept in memory only, never logged.
    std::string smb_password;
    // Asks for an SMB password nothing above gave (AskRequest id "smb.password", kind
    // secret); empty: nobody can be asked, and opening fails saying where a password can come from.
    AskFunction ask;
};

}  // namespace kura
