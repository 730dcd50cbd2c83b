// Ctrl-C and SIGTERM set a flag that every pipeline stage polls, so an interrupted job
// stops between buffers, cleans up its partial output and says so, instead of dying mid-write.
#pragma once

#include <atomic>

namespace kura {

void install_cancel_handlers();
bool cancel_requested();
// Throws Error(cancelled) when the operator interrupted.
void throw_if_cancelled();

// One job's cancel token (JobContext carries it): stopped by the front (the menu's cancel
// key) or by the process's signal handlers above, whichever comes first.
class CancelToken {
public:
    void request() { requested_.store(true); }
    bool requested() const { return requested_.load() || cancel_requested(); }
    // Throws Error(cancelled) naming who stopped the job.
    void throw_if_requested() const;

private:
    std::atomic<bool> requested_{false};
};

// A token nobody requests: it stops only on the signals above. The default of the engine
// functions whose callers have no job's token to hand yet.
const CancelToken& signal_cancel_token();

}  // namespace kura
