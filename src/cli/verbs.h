// One function per `kura` verb; each returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace kura::cli {

// `argv` holds the words after the verb; `full_argv` the whole command line.
int run_saveparts(const std::vector<std::string>& argv, const std::vector<std::string>& full_argv);
int run_restoreparts(const std::vector<std::string>& argv);
int run_savedisk(const std::vector<std::string>& argv, const std::vector<std::string>& full_argv);
int run_restoredisk(const std::vector<std::string>& argv);
int run_checkimage(const std::vector<std::string>& argv);
int run_list_images(const std::vector<std::string>& argv);
int run_list_disks(const std::vector<std::string>& argv);
void print_usage();

}  // namespace kura::cli
