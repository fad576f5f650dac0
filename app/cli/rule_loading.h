// Compiling the rule files named on a yara or yarac command line, with yara's messages.
//
// Each `-d` is declared before the sources, typed as yara types it; a `-d` without `=` is
// reported and skipped, as yara does. A rule file that cannot be opened stops everything with
// "error: could not open file: PATH". Compiler diagnostics are printed in vigie's format (file,
// line, column, message, source line and caret), warnings only without -w.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/console.h"
#include "vigie/compiler.h"
#include "vigie/rules.h"

namespace vigie::cli {

struct SourceSettings {
  std::vector<std::string> rule_files;  // "[namespace:]path"
  std::vector<std::string> defines;     // "name=value"
  CompilerOptions compiler;
  bool no_warnings = false;
};

// nullptr after printing why.
std::shared_ptr<const Rules> compile_rule_files(const SourceSettings& settings, Console& console);

// -C: loads a file written by vigie-yarac; nullptr after printing why.
std::shared_ptr<const Rules> load_compiled_rules(const std::string& path, Console& console);

}  // namespace vigie::cli
