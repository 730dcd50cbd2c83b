// Ctrl-C and SIGTERM set a flag that every pipeline stage polls, so an interrupted job
// stops between buffers, cleans up its partial output and says so, instead of dying mid-write.
#pragma once

namespace kura {

void install_cancel_handlers();
bool cancel_requested();
// Throws Error(cancelled) when the operator interrupted.
void throw_if_cancelled();

}  // namespace kura
