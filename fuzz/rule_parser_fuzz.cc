// libFuzzer target for the YARA language front end: arbitrary bytes as rule source.
//
// Any input must give diagnostics or an AST, never a crash, a hang or unbounded memory. Includes
// are off (no file system access from fuzz input); the first byte picks strict_escape and a small
// or the default nesting limit, so both the limit path and deep-but-legal nesting are exercised.
// The results are walked (dump, format) so that spans and indexes in them are checked too.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lang/ast_dump.h"
#include "lang/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  vigie::lang::ParseOptions options;
  options.allow_includes = false;
  options.strict_escape = data[0] & 1;
  options.max_depth = (data[0] & 2) ? 16 : 2000;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  vigie::lang::Program program;
  std::vector<vigie::Diagnostic> diags;
  bool ok = vigie::lang::parse_source(text, "<fuzz>", options, program, diags);
  size_t total = 0;
  for (const auto& d : diags) total += d.format().size();
  if (ok) {
    for (const auto& rule : program.rules)
      total += vigie::lang::dump_expr(program, rule.condition).size();
  }
  return total == SIZE_MAX ? 1 : 0;
}
