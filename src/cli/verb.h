// One `kura` verb as a row of the verb table (cli/verb_table.cpp), the way filesystems,
// codecs and repositories are rows of theirs: its name, its lines in `kura help`, the
// usage its errors show, the options it takes beside the common ones, how many words it
// takes after them, and what runs it. main() parses the options a row names, checks the
// word count and calls `run`; adding a verb is one file with its run function and one row.
#pragma once

#include "cli/args.h"

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace kura::cli {

struct Verb;

// What a verb's run function is given: its parsed words and the whole command line.
struct VerbCall {
    const Verb& verb;
    const Args& args;
    const std::vector<std::string>& full_argv;  // as typed, for Info-saved-by-cmd.txt
};

struct Verb {
    std::string name;
    std::string help;                  // its lines of `kura help`, each starting "  kura NAME"
    std::string usage;                 // the usage error's "kura NAME [options] IMAGE PART..."
    std::vector<OptionSpec> options;   // beside common_option_specs()
    std::size_t min_words = 0;         // positional words after the options
    std::size_t max_words = std::numeric_limits<std::size_t>::max();
    int (*run)(const VerbCall& call) = nullptr;  // returns the process exit code
};

// Every verb, in the order `kura help` lists them.
const std::vector<Verb>& verb_table();
// nullptr for a name that is no verb.
const Verb* find_verb(const std::string& name);

// The run functions the rows name (one file each).
int run_saveparts(const VerbCall& call);
int run_savedisk(const VerbCall& call);
int run_restoreparts(const VerbCall& call);
int run_restoredisk(const VerbCall& call);
int run_checkimage(const VerbCall& call);
int run_list_images(const VerbCall& call);
int run_list_disks(const VerbCall& call);

}  // namespace kura::cli
