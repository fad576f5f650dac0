// The compiler: YARA-language source text in, immutable Rules out.
//
// Usage:
//   vigie::Compiler c;
//   c.define_external("filename", std::string{});
//   c.add_file("rules.yar", "default");
//   for (auto& d : c.diagnostics()) std::cerr << d.format();
//   std::shared_ptr<const vigie::Rules> rules = c.build();   // nullptr when there were errors
//
// Compiling allocates and may be slow; it is done once. A Compiler is not thread-safe; the Rules
// it builds are.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vigie/diagnostics.h"
#include "vigie/rules.h"

namespace vigie {

using ExternalValue = std::variant<int64_t, double, bool, std::string>;

struct CompilerOptions {
  bool allow_includes = true;  // `include "file"` directives
  uint32_t max_strings_per_rule = 10000;
  bool strict_escape =
      false;  // warn on unknown escapes in regular expressions (yara --strict-escape)
  bool warnings_as_errors = false;      // yara --fail-on-warnings
  uint32_t max_condition_depth = 2000;  // nesting limit of expressions, an error beyond
};

class Compiler {
 public:
  explicit Compiler(CompilerOptions options = {});
  ~Compiler();
  Compiler(const Compiler&) = delete;
  Compiler& operator=(const Compiler&) = delete;

  // Declares an external variable and its default value. Must precede the sources that use it.
  // Returns false (and records an error diagnostic) on a duplicate name.
  bool define_external(std::string_view name, ExternalValue value);

  // Adds rules from a file or from memory, in namespace `ns`. Returns false when the source had
  // errors; the diagnostics say which. Later sources may still be added (and are checked), but
  // build() fails once any error was recorded.
  bool add_file(const std::filesystem::path& path, std::string_view ns = "default");
  bool add_source(std::string_view text, std::string_view ns = "default",
                  std::string_view origin = "<string>");

  std::span<const Diagnostic> diagnostics() const;
  size_t error_count() const;
  size_t warning_count() const;

  // Builds the rule set from everything added. Returns nullptr when there were errors (or
  // warnings with warnings_as_errors); the diagnostics then say why.
  std::shared_ptr<const Rules> build();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigie
