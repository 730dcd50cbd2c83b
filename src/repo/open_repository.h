// The backends' table: which Repository a --repo location opens (docs/repositories.md).
#pragma once

#include "storage/repository.h"

#include <memory>
#include <string>

namespace kura {

// Chooses the backend by the location's scheme (dev:, nfs://, smb://); anything without
// one is a local directory.
std::unique_ptr<Repository> open_repository(const std::string& location);

}  // namespace kura
