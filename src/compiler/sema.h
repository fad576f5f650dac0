// Semantic analysis: a parsed Program becomes IR in the rule set being built.
//
// Names are resolved here (loop variables, then rules of the namespace defined earlier, then
// external variables, then imported modules), types are checked and propagated, module fields
// and function overloads are bound against the modules' schemas, constants are folded, and each
// rule's strings become PatternSpecs for the pattern engine. Errors and warnings carry the
// source location of the offending expression.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "compiler/compiled_rules.h"
#include "lang/ast.h"
#include "re/pattern_set.h"
#include "vigie/compiler.h"
#include "vigie/diagnostics.h"

namespace vigie::sema {

// Where a pattern was declared, to report pattern-engine warnings against it later.
struct PatternOrigin {
  Diagnostic where;  // location and source line filled; message empty
};

// fixed_offsets: the one constant offset a string is used at, or one of these.
inline constexpr int64_t kOffsetUnused = INT64_MIN;   // no use seen yet
inline constexpr int64_t kOffsetAny = INT64_MIN + 1;  // used otherwise: search everywhere

// What persists from one added source to the next while a Compiler is alive.
struct State {
  Rules::Impl* out = nullptr;
  std::vector<re::PatternSpec> specs;  // one per CompiledPattern
  std::vector<PatternOrigin> origins;  // one per CompiledPattern
  std::vector<uint8_t> counted;        // one per CompiledPattern: used other than as $a
  std::vector<int64_t> fixed_offsets;  // one per CompiledPattern: kOffset* or an offset
  std::map<std::pair<uint32_t, std::string>, uint32_t> rule_by_name;  // (ns, name) -> rule
  std::unordered_map<std::string, uint32_t> external_by_name;
  std::unordered_map<std::string, uint32_t> module_by_name;  // index in out->modules
  std::unordered_map<std::string, uint32_t> string_pool;
  // Wildcard rule sets used so far: (namespace, prefix, rule using it). A rule defined later
  // whose name has such a prefix would change the set's meaning, so it is an error, as in YARA.
  std::vector<std::tuple<uint32_t, std::string, std::string>> rule_wildcards;
};

// Compiles every rule of `program` into state.out under namespace `ns`. Returns false when an
// error was reported.
bool compile_program(const lang::Program& program, uint32_t ns, const CompilerOptions& options,
                     State& state, std::vector<Diagnostic>& diags);

}  // namespace vigie::sema
