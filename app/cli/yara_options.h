// The command lines of vigie-yara and vigie-yarac: yara's and yarac's options (YARA 4.5, which
// includes everything 4.2 has), read into plain structs, with yara's checks and messages for
// what comes before compiling: --help, --version, the number of arguments, the thread limit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigie::cli {

struct YaraOptions {
  bool compiled_rules = false;           // -C
  bool count = false;                    // -c
  bool fail_on_warnings = false;         // --fail-on-warnings
  bool fast_scan = false;                // -f
  bool negate = false;                   // -n
  bool no_follow_symlinks = false;       // -N
  bool no_warnings = false;              // -w
  bool print_meta = false;               // -m
  bool print_module_data = false;        // -D
  bool print_namespace = false;          // -e
  bool print_stats = false;              // -S
  bool print_strings = false;            // -s
  bool print_string_length = false;      // -L
  bool print_tags = false;               // -g
  bool print_xor_key = false;            // -X
  bool recursive = false;                // -r
  bool scan_list = false;                // --scan-list
  bool strict_escape = false;            // --strict-escape
  bool disable_console_logs = false;     // -q
  std::vector<std::string> defines;      // -d, "name=value" as given
  std::vector<std::string> identifiers;  // -i
  std::vector<std::string> module_data;  // -x, "module=file" as given
  std::vector<std::string> tags;         // -t
  std::string atom_quality_table;        // accepted, unused: vigie chooses atoms its own way
  int64_t max_rules = 0;                 // -l, 0: no limit
  int64_t timeout_seconds = 1000000;     // -a
  int64_t threads = 0;                   // -p, 0: one per core
  int64_t skip_larger = 0;               // -z, 0: no limit
  int64_t stack_size = 16384;            // -k, accepted, no effect
  int64_t max_strings_per_rule = 10000;
  int64_t max_process_memory_chunk = 1073741824;
  std::vector<std::string> rule_files;  // "[namespace:]path" as given
  std::string target;
};

struct YaracOptions {
  bool fail_on_warnings = false;
  bool no_warnings = false;
  bool strict_escape = false;
  std::vector<std::string> defines;
  std::string atom_quality_table;
  int64_t max_strings_per_rule = 10000;
  std::vector<std::string> rule_files;
  std::string output;
};

// Outcome of reading a command line: either options to run with, or text to print and an exit
// code (help, version, usage errors).
template <typename Options>
struct Command {
  bool run = false;
  int exit_code = 0;
  std::string out;  // for stdout
  std::string err;  // for stderr
  Options options;
};

inline constexpr int kMaxThreads = 32;

Command<YaraOptions> parse_yara_command(const std::vector<std::string>& args);
Command<YaracOptions> parse_yarac_command(const std::vector<std::string>& args);

std::string yara_help();
std::string yarac_help();
std::string version_text();

}  // namespace vigie::cli
