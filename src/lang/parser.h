// The parser's entry points: YARA source text in, AST (ast.h) and diagnostics out.
//
// Parsing checks syntax and everything that needs only the rule at hand: string modifiers,
// string identifiers used and declared, tags. Names of rules, externals, modules and their
// fields, and types, are the compiler's business. After a syntax error the parser skips to the
// next top-level `rule`, `private`/`global` rule, `import` or `include`, so one run reports every
// independent error of a file; a rule with an error is not added to the program.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lang/ast.h"
#include "vigie/diagnostics.h"

namespace vigie::lang {

struct ParseOptions {
  bool allow_includes = true;
  bool strict_escape = false;  // warn on unknown escapes in regular expressions
  uint32_t max_depth = 2000;   // nesting limit of conditions; an error beyond
};

// Parses `text`, named `origin` in messages (includes are resolved relative to origin's directory,
// or to the current directory for "<string>"), appending to `program` and `diags`. False on errors.
bool parse_source(std::string_view text, std::string origin, const ParseOptions& options,
                  Program& program, std::vector<vigie::Diagnostic>& diags);

// Reads and parses a file; a missing or unreadable file is an error diagnostic naming it.
bool parse_file(const std::filesystem::path& path, const ParseOptions& options, Program& program,
                std::vector<vigie::Diagnostic>& diags);

}  // namespace vigie::lang
