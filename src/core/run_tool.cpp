#include "core/run_tool.h"

#include <cerrno>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace kura {

ToolResult run_tool(const std::vector<std::string>& argv, ExitCode code, const std::string& input_path) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw_errno(code, "cannot create a pipe for " + argv.front(), errno);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, input_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int err = posix_spawnp(&pid, argv.front().c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (err != 0) {
        ::close(pipe_fds[0]);
        throw_errno(code, "cannot run " + argv.front() + " (is it installed?)", err);
    }
    ToolResult result;
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (n > 0) result.output.append(buffer, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR) break;
    }
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

void run_tool_checked(const std::vector<std::string>& argv, ExitCode code, const std::vector<int>& accepted) {
    ToolResult r = run_tool(argv, code);
    for (int ok : accepted)
        if (r.exit_status == ok) return;
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    throw Error(code, command + " failed (exit " + std::to_string(r.exit_status) + "): " + r.output);
}

}  // namespace kura
