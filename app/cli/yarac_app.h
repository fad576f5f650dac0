// vigie-yarac: compiles rule files into one file in vigie's compiled format (Rules::save),
// which vigie-yara -C loads. Exit code 0 on success, 1 when the command line is wrong, a file
// cannot be read, the rules have errors (or warnings with --fail-on-warnings), or the output
// cannot be written.
#pragma once

#include <string>
#include <vector>

#include "cli/console.h"

namespace vigie::cli {

// `args` excludes the program name.
int run_yarac(const std::vector<std::string>& args, Console& console);

}  // namespace vigie::cli
