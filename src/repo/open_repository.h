// The backends' table: which Repository a --repo location opens (docs/repositories.md).
#pragma once

#include "repo/repository_options.h"
#include "storage/repository.h"

#include <memory>
#include <string>

namespace kura {

// Chooses the backend by the location's scheme (dev:, nfs://, nfs4://, smb://); anything
// without one is a local directory. `options` carry what the front knows for the backend
// (SMB credentials, how to ask for a password).
std::unique_ptr<Repository> open_repository(const std::string& location, const RepositoryOptions& options = {});

}  // namespace kura
