// `kura`: the command line of the imaging engine. Verbs mirror Clonezilla's ocs-sr modes.
#include "cli/common_options.h"
#include "cli/verb.h"
#include "core/cancel.h"
#include "core/error.h"
#include "cli/common_options.h"
#include "core/log.h"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace kura::cli {

namespace {

// The verbs' lines of the usage, from the verb table.
std::string verb_help() {
    std::string lines;
    for (const auto& verb : verb_table()) lines += verb.help;
    return lines;
}

// Parses the words after the verb with the options its row names, checks their count and runs it.
int run_verb(const Verb& verb, const std::vector<std::string>& argv, const std::vector<std::string>& full_argv) {
    std::vector<OptionSpec> specs = common_option_specs();
    specs.insert(specs.end(), verb.options.begin(), verb.options.end());
    Args args(verb.name, argv, specs);
    log::set_verbose(args.flag("--verbose"));
    const std::size_t words = args.positionals().size();
    if (words < verb.min_words || words > verb.max_words)
        throw Error(ExitCode::usage, verb.name + ": usage: " + verb.usage);
    return verb.run(VerbCall{verb, args, full_argv});
}

}  // namespace

void print_usage() {
    std::printf(
        "kura %s - save and restore partitions as Clonezilla-compatible images\n"
        "\n"
        "usage:\n"
        "%s"
        "  kura version | help\n"
        "\n"
        "common options: --progress=text|json|none  --json  --dry-run  --verbose\n"
        "               --smb-credentials FILE\n"
        "REPO: a directory (default /home/partimag), dev:PARTITION (or\n"
        "  dev:LABEL=x, dev:UUID=x), nfs://server[:port]/export[/dir][?uid=N&gid=N],\n"
        "  nfs4://server[:port]/export[/dir] (mounted by the kernel),\n"
        "  smb://[domain;]user@server[:port]/share[/dir][?protocol=SMB2|SMB3]\n"
        "SMB password: never in the URL; from KURA_SMB_PASSWORD, else --smb-credentials\n"
        "  FILE (username=, password=, domain= lines, as for smbclient -A; or\n"
        "  KURA_SMB_CREDENTIALS=FILE), else a prompt on the terminal\n"
        "default split: 4096 MB (0 = none)\n"
        "exit codes: 0 ok, 1 internal, 2 usage, 3 image not found, 4 image corrupt,\n"
        "            5 source unsupported, 6 target refused, 7 I/O error, 8 cancelled\n"
        "details: docs/cli.md\n",
        KURA_VERSION, verb_help().c_str());
}

}  // namespace kura::cli

int main(int argc, char** argv) {
    using namespace kura;
    cli::take_smb_password_at_start();  // before any thread, and before any child tool
    install_cancel_handlers();
    std::vector<std::string> full(argv, argv + argc);
    if (argc < 2) {
        cli::print_usage();
        return static_cast<int>(ExitCode::usage);
    }
    std::string verb = argv[1];
    std::vector<std::string> rest(argv + 2, argv + argc);
    try {
        if (const cli::Verb* v = cli::find_verb(verb)) return cli::run_verb(*v, rest, full);
        if (verb == "version" || verb == "--version") {
            std::printf("kura %s\n", KURA_VERSION);
            return 0;
        }
        if (verb == "help" || verb == "--help" || verb == "-h") {
            cli::print_usage();
            return 0;
        }
        throw Error(ExitCode::usage, "unknown command '" + verb + "' (see kura help)");
    } catch (const Error& e) {
        log::message(log::Level::error, e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        log::message(log::Level::error, std::string("internal error: ") + e.what());
        return static_cast<int>(ExitCode::internal);
    }
}
