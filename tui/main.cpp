// `kura-menu`: the operator's text menu on the live system's console or serial line. It ties
// the flow model (tui/flow.h) to the terminal (tui/curses_screen.h) and to the machine
// (tui/engine_services.h): the flow says what to do next, this file does it - asks a
// screen, runs a job on a worker thread while the screen shows its progress, lends the
// terminal to a shell, reboots.
#include "core/cancel.h"
#include "core/error.h"
#include "repo/smb_credentials.h"
#include "tui/curses_screen.h"
#include "tui/engine_services.h"
#include "tui/flow.h"
#include "tui/repository_preset.h"
#include "tui/terminal_caps.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kura::tui {
namespace {

constexpr const char* default_log_path = "/var/log/kura/kura-menu.log";
constexpr const char* fallback_log_path = "/tmp/kura-menu.log";
constexpr auto progress_redraw_interval = std::chrono::milliseconds(250);

void print_usage() {
    std::printf(
        "kura-menu %s - the text menu of the kura live system: save and restore disks and\n"
        "partitions as Clonezilla-compatible images\n"
        "\n"
        "usage: kura-menu [--lang en|ja] [--keymap NAME] [--repo LOCATION] [--devices DEV,DEV...]\n"
        "                 [--log FILE] [--mono] [--help]\n"
        "  --lang en|ja       the menu's language; not asked then (kernel parameter kura.lang=)\n"
        "  --keymap NAME      console keymap (us, jp106, ...); not asked then (kura.keymap=)\n"
        "  --repo LOCATION    open this repository after the keyboard (kura.repo=), one of:\n"
        "      a directory, dev:PARTITION (dev:LABEL=x, dev:UUID=x),\n"
        "      nfs://server[:port]/export[/dir][?uid=N&gid=N],\n"
        "      nfs4://server[:port]/export[/dir],\n"
        "      smb://[domain;]user@server[:port]/share[/dir][?protocol=SMB2|SMB3]\n"
        "      (an SMB password is asked for; Esc leads back to the repository questions,\n"
        "      filled in from LOCATION)\n"
        "  --devices DEV,...  offer only these disks\n"
        "  --log FILE         the log (default %s, else %s)\n"
        "  --mono             no colours (also when NO_COLOR is set)\n",
        KURA_VERSION, default_log_path, fallback_log_path);
}

// ---- The log, on fd 2

void log_line(const std::string& text) {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
    std::fprintf(stderr, "%s kura-menu: %s\n", stamp, text.c_str());
}

int open_log_file(const std::string& path, int extra_flags) {
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | extra_flags, 0640);
}

struct LogRedirection {
    std::string path;
    int terminal_stderr = -1;  // the original fd 2 (the terminal), for the shell and for last words
};

// The engine reports on stderr; on the menu's terminal that would scribble over the screen,
// so fd 2 goes to the log file before curses starts.
LogRedirection redirect_stderr_to_log(const std::string& requested) {
    std::string path = requested;
    int fd = -1;
    if (!requested.empty()) {
        fd = open_log_file(requested, 0);
        if (fd < 0) throw Error(ExitCode::io_error, errno_text("cannot open the log " + requested, errno));
    } else {
        path = default_log_path;
        fd = open_log_file(path, 0);
        if (fd < 0) {
            // /tmp is shared: never follow a link someone else put there.
            path = fallback_log_path;
            fd = open_log_file(path, O_NOFOLLOW);
        }
        if (fd < 0) throw Error(ExitCode::io_error, errno_text("cannot open a log file (" + std::string(default_log_path) +
                                                                   " nor " + fallback_log_path + ")", errno));
    }
    LogRedirection redirection;
    redirection.path = path;
    redirection.terminal_stderr = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (::dup2(fd, STDERR_FILENO) < 0) {
        int err = errno;
        ::close(fd);
        throw Error(ExitCode::io_error, errno_text("cannot redirect stderr to " + path, err));
    }
    ::close(fd);
    return redirection;
}

// Says something on the terminal after the screen is gone (and in the log).
void tell_terminal(int terminal_stderr, const std::string& text) {
    log_line(text);
    std::string line = "kura-menu: " + text + "\n";
    int fd = terminal_stderr >= 0 ? terminal_stderr : STDOUT_FILENO;
    ssize_t ignored = ::write(fd, line.data(), line.size());
    (void)ignored;
}

// ---- Command line and kernel command line

struct MenuCommandLine {
    std::optional<Language> language;
    std::optional<std::string> keymap;
    std::optional<std::string> repository;
    std::vector<std::string> devices;
    std::string log_path;  // empty: the default
    bool monochrome = false;
    bool help = false;
};

std::vector<std::string> split_commas(const std::string& list) {
    std::vector<std::string> parts;
    std::stringstream stream(list);
    for (std::string part; std::getline(stream, part, ',');) {
        if (!part.empty()) parts.push_back(part);
    }
    return parts;
}

Language language_option(const std::string& text, const std::string& where) {
    Language language = Language::en;
    if (!parse_language(text, language)) {
        throw Error(ExitCode::usage, where + ": unknown language '" + text + "' (en or ja)");
    }
    return language;
}

MenuCommandLine parse_command_line(int argc, char** argv) {
    MenuCommandLine parsed;
    for (int i = 1; i < argc; ++i) {
        std::string option = argv[i];
        std::optional<std::string> inline_value;  // --lang=ja
        if (std::size_t equals = option.find('='); option.starts_with("--") && equals != std::string::npos) {
            inline_value = option.substr(equals + 1);
            option.resize(equals);
        }
        auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= argc) throw Error(ExitCode::usage, option + " needs a value");
            return argv[++i];
        };
        auto no_value = [&] {
            if (inline_value) throw Error(ExitCode::usage, option + " takes no value");
        };
        if (option == "--help" || option == "-h") {
            no_value();
            parsed.help = true;
        } else if (option == "--mono") {
            no_value();
            parsed.monochrome = true;
        } else if (option == "--lang") {
            parsed.language = language_option(value(), "--lang");
        } else if (option == "--keymap") {
            parsed.keymap = value();
            if (parsed.keymap->empty()) throw Error(ExitCode::usage, "--keymap needs a keymap name");
        } else if (option == "--repo") {
            parsed.repository = value();
            if (parsed.repository->empty()) throw Error(ExitCode::usage, "--repo needs a location");
        } else if (option == "--devices") {
            parsed.devices = split_commas(value());
            if (parsed.devices.empty()) throw Error(ExitCode::usage, "--devices needs at least one device");
        } else if (option == "--log") {
            parsed.log_path = value();
            if (parsed.log_path.empty()) throw Error(ExitCode::usage, "--log needs a file name");
        } else {
            throw Error(ExitCode::usage, "unknown option '" + option + "' (see kura-menu --help)");
        }
    }
    return parsed;
}

// The value of `name=` on the kernel command line (the last one, as the kernel does), quotes
// removed; the boot menu of the live system sets kura.lang=, kura.keymap= and kura.repo= there.
std::optional<std::string> kernel_parameter(const std::string& command_line, std::string_view name) {
    std::optional<std::string> found;
    std::istringstream words(command_line);
    for (std::string word; words >> word;) {
        if (word.size() > name.size() && word.starts_with(name) && word[name.size()] == '=') {
            std::string value = word.substr(name.size() + 1);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
            found = value;
        }
    }
    return found;
}

std::string read_kernel_command_line() {
    // KURA_CMDLINE_FILE: tests stand in their own kernel command line.
    const char* override_path = std::getenv("KURA_CMDLINE_FILE");
    std::ifstream in(override_path != nullptr && *override_path != '\0' ? override_path : "/proc/cmdline");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Options given on kura-menu's command line win over the kernel's; a kernel value that
// makes no sense is logged and ignored rather than stopping the menu at boot.
void apply_kernel_command_line(MenuCommandLine& command_line) {
    const std::string kernel = read_kernel_command_line();
    if (!command_line.language) {
        if (std::optional<std::string> lang = kernel_parameter(kernel, "kura.lang")) {
            Language language = Language::en;
            if (parse_language(*lang, language)) command_line.language = language;
            else log_line("ignoring kura.lang=" + *lang + " on the kernel command line: unknown language");
        }
    }
    if (!command_line.keymap) {
        if (std::optional<std::string> keymap = kernel_parameter(kernel, "kura.keymap"); keymap && !keymap->empty()) {
            command_line.keymap = *keymap;
        }
    }
    // Not checked here: a location that makes no sense is explained on the menu's repository
    // screen, where the operator can correct it.
    if (!command_line.repository) {
        if (std::optional<std::string> repo = kernel_parameter(kernel, "kura.repo"); repo && !repo->empty()) {
            command_line.repository = *repo;
        }
    }
}

// ---- Signals

constexpr int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
constexpr int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
static_assert(std::atomic<int>::is_always_lock_free, "signal handlers store into atomics");

std::atomic<int> g_stop_signal{0};
std::atomic<int> g_stop_count{0};
struct sigaction g_engine_handlers[std::size(stop_signals)];

// Ctrl-C, SIGTERM, a hangup: remembered for the UI thread, which ends the menu (curses
// cannot be touched from here), and passed on to the engine's own handler, which makes a
// running job stop between buffers and clean up.
extern "C" void on_stop_signal(int signal) {
    g_stop_signal.store(signal);
    g_stop_count.fetch_add(1);
    for (std::size_t i = 0; i < std::size(stop_signals); ++i) {
        const struct sigaction& engine = g_engine_handlers[i];
        if (stop_signals[i] != signal || (engine.sa_flags & SA_SIGINFO) != 0) continue;
        if (engine.sa_handler != SIG_DFL && engine.sa_handler != SIG_IGN) engine.sa_handler(signal);
    }
}

extern "C" void on_fatal_signal(int signal) {
    CursesScreen::restore_terminal_from_signal_handler();
    std::raise(signal);  // SA_RESETHAND: the default action now, a core dump where enabled
}

void install_signal_handlers() {
    install_cancel_handlers();
    for (std::size_t i = 0; i < std::size(stop_signals); ++i) {
        sigaction(stop_signals[i], nullptr, &g_engine_handlers[i]);
        struct sigaction action {};
        action.sa_handler = on_stop_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;  // no SA_RESTART: a waiting read returns, so the menu notices at once
        sigaction(stop_signals[i], &action, nullptr);
    }
    for (int signal : fatal_signals) {
        struct sigaction action {};
        action.sa_handler = on_fatal_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        sigaction(signal, &action, nullptr);
    }
}

int exit_code_for_signal(int signal) { return 128 + signal; }

// ---- Running a job while the screen shows its progress

JobResult run_job_catching(MenuServices& services, const Job& job,
                           const std::function<void(const ProgressSnapshot&)>& progress) {
    try {
        return services.run(job, progress);
    } catch (const Error& e) {
        JobResult failed;
        failed.message = e.what();
        failed.exit_code = static_cast<int>(e.code());
        return failed;
    } catch (const std::exception& e) {
        JobResult failed;
        failed.message = std::string("internal error: ") + e.what();
        failed.exit_code = static_cast<int>(ExitCode::internal);
        return failed;
    }
}

// The engine works on a worker thread and reports through a callback from its own threads;
// only this (the UI) thread touches ncurses and the flow, redrawing the latest numbers.
JobResult run_job_showing_progress(CursesScreen& screen, const Flow& flow, MenuServices& services,
                                   const LogRedirection& log) {
    std::mutex mutex;
    std::condition_variable finished_changed;
    ProgressSnapshot latest;
    bool finished = false;
    JobResult result;
    const Job job = flow.job();
    log_line(std::string("running ") + job_mode_name(job.mode) + ": " + equivalent_command(job));

    std::jthread worker([&] {
        JobResult outcome = run_job_catching(services, job, [&](const ProgressSnapshot& snapshot) {
            std::lock_guard lock(mutex);
            latest = snapshot;
        });
        {
            std::lock_guard lock(mutex);
            result = std::move(outcome);
            finished = true;
        }
        finished_changed.notify_all();
    });

    std::unique_lock lock(mutex);
    while (!finished) {
        ProgressSnapshot snapshot = latest;
        lock.unlock();
        if (g_stop_count.load() >= 2) {
            // Asked twice: leave without waiting for the engine to clean up.
            screen.close();
            tell_terminal(log.terminal_stderr, "interrupted again; leaving the job unfinished");
            std::_Exit(exit_code_for_signal(g_stop_signal.load()));
        }
        Screen progress = flow.progress_screen(snapshot);
        if (g_stop_signal.load() != 0) progress.error = "Interrupted: the job stops and cleans up...";
        screen.show(progress);
        lock.lock();
        finished_changed.wait_for(lock, progress_redraw_interval, [&] { return finished; });
    }
    lock.unlock();
    worker.join();
    if (result.log_path.empty()) result.log_path = log.path;
    log_line(result.ok ? "job done" : "job failed: " + result.message.text);
    return result;
}

// ---- A shell on the terminal

// A shell with job control makes its own process group the terminal's foreground and may
// leave it so; the menu takes the terminal back (SIGTTOU blocked, or the call would stop it).
void reclaim_terminal_foreground() {
    sigset_t blocked, previous;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &blocked, &previous);
    if (::isatty(STDIN_FILENO)) ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void run_shell(CursesScreen& screen, const LogRedirection& log) {
    const char* login_shell = std::getenv("SHELL");
    const std::string shell = login_shell != nullptr && *login_shell != '\0' && ::access(login_shell, X_OK) == 0
                                  ? login_shell : "/bin/sh";
    log_line("starting a shell: " + shell + " -l");
    screen.suspend();
    std::printf("\nkura-menu: %s; type 'exit' to return to the menu.\n\n", shell.c_str());
    std::fflush(stdout);

    // Meanwhile Ctrl-C and Ctrl-\ are the shell's business, not the menu's (as with system()).
    struct sigaction ignore {}, previous_int {}, previous_quit {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &previous_int);
    sigaction(SIGQUIT, &ignore, &previous_quit);

    pid_t child = ::fork();
    if (child == 0) {
        // Ignored signals stay ignored across exec: the shell gets the defaults back. Its
        // stderr is the terminal again, not the menu's log.
        struct sigaction defaults {};
        defaults.sa_handler = SIG_DFL;
        sigemptyset(&defaults.sa_mask);
        for (int signal : {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU}) {
            sigaction(signal, &defaults, nullptr);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        if (log.terminal_stderr >= 0) ::dup2(log.terminal_stderr, STDERR_FILENO);
        ::execl(shell.c_str(), shell.c_str(), "-l", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    if (child < 0) {
        log_line(errno_text("cannot start a shell", errno));
    } else {
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        log_line("the shell ended");
    }
    reclaim_terminal_foreground();
    sigaction(SIGINT, &previous_int, nullptr);
    sigaction(SIGQUIT, &previous_quit, nullptr);
    screen.resume();
}

// ---- The menu

std::string hour_stamp() {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d-%H", &local);
    return stamp;
}

// Follows the flow until it ends; returns kura-menu's exit code.
int run_menu(CursesScreen& screen, Flow& flow, MenuServices& services, const LogRedirection& log) {
    for (;;) {
        if (int signal = g_stop_signal.load()) return exit_code_for_signal(signal);
        switch (flow.action()) {
        case FlowAction::show: {
            const Screen shown = flow.screen();
            const Answer answer = screen.ask(shown);
            // Opening a repository or reading an image takes seconds: say so meanwhile.
            if (answer.kind == Answer::Kind::choose && !shown.working.empty()) {
                Screen wait;
                wait.step = shown.step;
                wait.kind = ScreenKind::progress;
                wait.title = shown.title;
                wait.text = shown.working;
                wait.can_go_back = false;
                screen.show(wait);
            }
            flow.answer(answer);
            break;
        }
        case FlowAction::run_job: {
            JobResult result = run_job_showing_progress(screen, flow, services, log);
            // Interrupted: the engine has cleaned up; the menu ends instead of going on.
            if (int signal = g_stop_signal.load()) return exit_code_for_signal(signal);
            flow.job_finished(result);
            break;
        }
        case FlowAction::shell:
            run_shell(screen, log);
            flow.shell_done();
            break;
        case FlowAction::reboot:
            screen.close();
            log_line("rebooting");
            if (!services.reboot()) {
                tell_terminal(log.terminal_stderr, "not running on the kura live system, so the machine is not rebooted");
            }
            return 0;
        case FlowAction::power_off:
            screen.close();
            log_line("powering off");
            if (!services.power_off()) {
                tell_terminal(log.terminal_stderr, "not running on the kura live system, so the machine is not powered off");
            }
            return 0;
        }
    }
}

}  // namespace
}  // namespace kura::tui

int main(int argc, char** argv) {
    using namespace kura;
    using namespace kura::tui;
    // Before any thread, and before any child tool: out of the environment, into memory.
    std::string environment_smb_password = take_smb_password_from_environment(std::getenv("KURA_SMB_PASSWORD"));

    MenuCommandLine command_line;
    std::uint64_t checkpoint_bytes = kDefaultCheckpointBytes;
    try {
        command_line = parse_command_line(argc, argv);
        if (const char* bytes = std::getenv("KURA_CHECKPOINT_BYTES"); bytes && *bytes)
            checkpoint_bytes = parse_checkpoint_bytes(bytes);
    } catch (const Error& e) {
        std::fprintf(stderr, "kura-menu: %s\n", e.what());
        return static_cast<int>(e.code());
    }
    if (command_line.help) {
        print_usage();
        return 0;
    }

    LogRedirection log;
    try {
        log = redirect_stderr_to_log(command_line.log_path);
    } catch (const Error& e) {
        std::fprintf(stderr, "kura-menu: %s\n", e.what());
        return static_cast<int>(e.code());
    }
    log_line(std::string("started (kura ") + KURA_VERSION + ")");
    install_signal_handlers();

    // Declared first, destroyed last: whatever ends the menu, the terminal is given back.
    std::unique_ptr<CursesScreen> screen;
    try {
        apply_kernel_command_line(command_line);

        CursesScreenOptions screen_options;
        screen_options.monochrome = command_line.monochrome;
        screen_options.interrupted = [] { return g_stop_signal.load() != 0; };
        screen = std::make_unique<CursesScreen>(std::move(screen_options));

        FlowOptions flow_options;
        flow_options.language = command_line.language;
        flow_options.keymap = command_line.keymap;
        flow_options.repository = command_line.repository;
        if (command_line.repository) log_line("preset repository: " + redacted_location(*command_line.repository));
        flow_options.only_devices = command_line.devices;
        flow_options.log_path = log.path;
        flow_options.can_show_japanese = terminal_can_show_japanese();
        flow_options.now_for_image_name = hour_stamp();

        EngineServicesOptions services_options;
        services_options.only_devices = command_line.devices;
        services_options.log_path = log.path;
        // The engine reads no environment: what these variables say is handed to it.
        services_options.environment_smb_password = std::move(environment_smb_password);
        if (const char* file = std::getenv("KURA_SMB_CREDENTIALS")) services_options.smb_credentials_file = file;
        services_options.checkpoint_bytes = checkpoint_bytes;
        if (const char* dir = std::getenv("KURA_LIVE_LOG_DIR")) services_options.live_log_dir = dir;
        EngineServices services(std::move(services_options));
        Flow flow(services, std::move(flow_options));
        int code = run_menu(*screen, flow, services, log);
        screen->close();
        log_line("exit " + std::to_string(code));
        return code;
    } catch (const ScreenInterrupted&) {
        if (screen) screen->close();
        int code = exit_code_for_signal(g_stop_signal.load());
        log_line("interrupted by signal " + std::to_string(g_stop_signal.load()));
        return code;
    } catch (const std::exception& e) {
        if (screen) screen->close();
        tell_terminal(log.terminal_stderr, std::string("error: ") + e.what());
        return static_cast<int>(ExitCode::internal);
    }
}
