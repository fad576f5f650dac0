// Reading `-d name=value` and `[namespace:]rules_file` arguments as yara reads them.
//
// A -d value is typed by its spelling, like yara: `true`/`false` are booleans; an optional `-`
// and digits an integer (saturating, as strtoll); an optional `-`, digits, a dot and digits a
// float (`1.` is one, `.5` is not); anything else, including `0x10` and `+5`, a string. Only
// the first `=` separates the name from the value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vigie/compiler.h"

namespace vigie::cli {

struct Define {
  std::string name;
  ExternalValue value;
};

// nullopt when there is no `=` ("error: wrong syntax for `-d` option.").
std::optional<Define> parse_define(std::string_view arg);
ExternalValue typed_value(std::string_view text);

struct RuleSource {
  std::string ns;
  std::string path;
};

// "ns:path" -> {ns, path}, unless the whole argument names an existing file, which is then read
// in the default namespace. Splits at the first colon.
RuleSource split_rule_argument(const std::string& arg);

// yara's test for a process id target: an optional '-' and one or more digits.
bool is_integer_text(std::string_view text);

}  // namespace vigie::cli
