// `kura`: the command line of the imaging engine. Verbs mirror Clonezilla's ocs-sr modes.
#include "cli/verbs.h"
#include "core/cancel.h"
#include "core/error.h"
#include "cli/common_options.h"
#include "core/log.h"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace kura::cli {

void print_usage() {
    std::printf(
        "kura %s - save and restore partitions as Clonezilla-compatible images\n"
        "\n"
        "usage:\n"
        "  kura saveparts [--repo REPO] [-z zstd|gzip|none] [--level N] [--split SIZE]\n"
        "                 [--threads N] [--no-verify] [--fsck] [--fs-force] [--resume] IMAGE PART...\n"
        "                 (--resume: continue an interrupted save of IMAGE; same PARTs, -z, --split)\n"
        "                 (--fsck: check and repair each filesystem first: e2fsck -f -y,\n"
        "                  fsck.fat -a -w, ntfsfix -d; not mounted ones, not in a --dry-run)\n"
        "  kura restoreparts [--repo REPO] [--yes] [--check-first] IMAGE TARGET...\n"
        "  kura savedisk [--repo REPO] [-z ...] [--split SIZE] [--no-verify] [--fsck] [--resume]\n"
        "                IMAGE DISK...\n"
        "  kura restoredisk [--repo REPO] [--yes] [--check-first] [--grow] IMAGE DISK...\n"
        "  kura checkimage [--repo REPO] IMAGE\n"
        "  kura list-images [--repo REPO] [--json]\n"
        "  kura list-disks [--json] [--devices DEV,...]\n"
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
        KURA_VERSION);
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
        if (verb == "saveparts") return cli::run_saveparts(rest, full);
        if (verb == "restoreparts") return cli::run_restoreparts(rest);
        if (verb == "savedisk") return cli::run_savedisk(rest, full);
        if (verb == "restoredisk") return cli::run_restoredisk(rest);
        if (verb == "checkimage") return cli::run_checkimage(rest);
        if (verb == "list-images") return cli::run_list_images(rest);
        if (verb == "list-disks") return cli::run_list_disks(rest);
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
