// vigie-yara: the whole program behind a thin main(), so that tests can run it in-process.
//
// The order of its steps and its messages follow yara: read the command line; compile the
// rule files (or load -C); read -x module data; print -S statistics; then scan the target: a
// directory (its files, -r for the whole tree, on -p threads), the files named in a --scan-list
// file, a process when the target is a number that names no file, or else a file. The exit code
// is 1 when the rules could not be built or a single target could not be scanned, and 0
// otherwise: a directory or list scan reports unreadable files and goes on.
#pragma once

#include <string>
#include <vector>

#include "cli/console.h"

namespace vigie::cli {

// `args` excludes the program name.
int run_yara(const std::vector<std::string>& args, Console& console);

}  // namespace vigie::cli
