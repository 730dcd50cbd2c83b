#include "core/cancel.h"

#include "core/error.h"

#include <atomic>
#include <csignal>

namespace kura {
namespace {

std::atomic<bool> g_cancelled{false};

extern "C" void on_signal(int) { g_cancelled.store(true); }

}  // namespace

void install_cancel_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    // A closed pipe (e.g. `kura ... | head`) must surface as a write error, not kill us.
    std::signal(SIGPIPE, SIG_IGN);
}

bool cancel_requested() { return g_cancelled.load(); }

void throw_if_cancelled() {
    if (cancel_requested()) throw Error(ExitCode::cancelled, "interrupted by a signal");
}

const CancelToken& signal_cancel_token() {
    static const CancelToken signals_only;
    return signals_only;
}

void CancelToken::throw_if_requested() const {
    if (cancel_requested()) throw Error(ExitCode::cancelled, "interrupted by a signal");
    if (requested_.load()) throw Error(ExitCode::cancelled, "stopped by the operator");
}

}  // namespace kura
