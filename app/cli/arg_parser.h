// A command-line parser that accepts exactly what the `yara` and `yarac` programs accept.
//
// Scripts call vigie-yara in place of yara, so the parser reproduces yara's own rules rather
// than getopt's:
//   - long options take their value only as `--name=value`; `--name value` is an error for an
//     option with a value, and a value given to a flag (`--count=5`) is ignored;
//   - short options may be grouped (`-sgm`); an option with a value must be the last of its
//     group and takes the next argument (`-sgl 5`); `-l5` is an error;
//   - integers are read as C's strtoll with base 0 reads them (`0x10`, ` 5`, and the empty
//     string, which is 0), and must be followed by nothing;
//   - `-` and `--` are ordinary arguments, and options may follow the positional arguments;
//   - error messages are yara's: "unknown option `-Q`", "option `-l` requires an integer
//     argument", quoting the whole argument in which the problem was found.
// Options that may be repeated (-d, -t, -i, -x) collect their values in order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::cli {

struct OptionSpec {
  enum class Kind : uint8_t { kFlag, kInteger, kString };
  char short_name = 0;  // 0: long form only
  std::string_view long_name;
  Kind kind = Kind::kFlag;
  std::string_view value_name;  // for --help: "NUMBER", "VAR=VALUE", ...
  std::string_view help;
};

// What the command line said: for each option of the table (same index), how many times it was
// given and its values in order.
struct ParsedArgs {
  std::vector<int> count;
  std::vector<std::vector<std::string>> strings;
  std::vector<std::vector<int64_t>> integers;
  std::vector<std::string> positional;

  bool has(size_t option) const { return count[option] > 0; }
  // Last value given, or `fallback` when the option was absent.
  int64_t integer(size_t option, int64_t fallback) const;
};

struct ParseResult {
  bool ok = true;
  std::string error;  // yara's message, without newline
  ParsedArgs args;
};

// `args` excludes the program name.
ParseResult parse_args(const std::vector<OptionSpec>& table, const std::vector<std::string>& args);

// The option lines of `--help`, in yara's layout:
//   "  -c,  --count                             print only number of matches"
std::string format_option_help(const std::vector<OptionSpec>& table, size_t name_width);

}  // namespace vigie::cli
