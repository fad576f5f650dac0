// Rules::Impl: everything a compiled rule set holds. Built by the compiler (compiler.cc, sema.cc),
// saved and loaded by serialize.cc, read (never written) by the scanner.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir.h"
#include "re/pattern_set.h"
#include "vigie/compiler.h"
#include "vigie/rules.h"

namespace vigie::mod {
struct Module;
}

namespace vigie {

struct CompiledRule {
  std::string identifier;
  uint32_t ns = 0;  // index in Rules::Impl::namespaces
  std::vector<std::string> tags;
  std::vector<Meta> metas;
  bool is_private = false;
  bool is_global = false;
  uint32_t condition = ir::kNone;  // root instruction
  uint32_t first_pattern = 0;      // the rule's strings: patterns [first, first + count)
  uint32_t pattern_count = 0;
  // The condition is false whenever none of the rule's own strings matched, so the scanner
  // need not evaluate it for a file where none of them did.
  bool needs_match = false;
};

struct CompiledPattern {
  std::string identifier;  // "$a", "$" for anonymous strings
  uint32_t rule = 0;
  bool is_private = false;
  bool is_hex = false;           // declared as a hex string
  bool is_xor = false;           // has the xor modifier
  int64_t fixed_offset = -1;     // >= 0: the string is used only as `$a at fixed_offset`
  bool first_match_only = true;  // in fast mode, the first match suffices (used as $a only)
};

struct CompiledExternal {
  std::string name;
  ExternalValue value;  // default value; the scanner may override it
};

struct CompiledRegex {
  std::string source;
  uint8_t flags = 0;
};

struct Rules::Impl {
  std::vector<std::string> namespaces;
  std::vector<CompiledRule> rules;
  std::vector<CompiledPattern> patterns;
  std::vector<ir::Insn> code;
  std::vector<uint32_t> lists;       // items of quantifiers, calls, enumerations
  std::vector<std::string> strings;  // string constants
  std::vector<CompiledExternal> externals;
  std::vector<std::string> modules;  // modules the IR refers to (kModule index)
  std::vector<CompiledRegex> regex_sources;
  uint32_t loop_slots = 0;  // slots the deepest condition needs

  // Derived when built or loaded.
  std::unique_ptr<re::PatternSet> pattern_set;
  std::vector<std::unique_ptr<re::Regex>> regexes;
  std::vector<const mod::Module*> module_ptrs;
  std::vector<uint32_t> unconditional_rules;  // rules with needs_match == false, in order
  std::vector<uint32_t> global_rules;
  std::vector<uint8_t>
      fast_patterns;  // first_match_only of every pattern, for ScanLimits         // in order

  // Compiles regexes, resolves modules and fills the derived tables. False on failure.
  bool finish(std::string* error);
};

}  // namespace vigie
