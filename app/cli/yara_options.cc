#include "cli/yara_options.h"

#include "cli/arg_parser.h"
#include "vigie/version.h"

namespace vigie::cli {
namespace {

using K = OptionSpec::Kind;

// Indexes into kYaraTable, in table order.
enum YaraOpt : size_t {
  kAtomTable,
  kCompiled,
  kCount,
  kDefine,
  kFailOnWarnings,
  kFast,
  kHelp,
  kIdentifier,
  kMaxChunk,
  kMaxRules,
  kMaxStrings,
  kModuleData,
  kNegate,
  kNoFollow,
  kNoWarnings,
  kMeta,
  kModuleDump,
  kNamespace,
  kStats,
  kStrings,
  kLength,
  kXorKey,
  kTags,
  kRecursive,
  kScanList,
  kStrictEscape,
  kSkipLarger,
  kStack,
  kTag,
  kThreads,
  kTimeout,
  kConsole,
  kVersion,
};

const std::vector<OptionSpec>& yara_table() {
  static const std::vector<OptionSpec> table = {
      {0, "atom-quality-table", K::kString, "FILE",
       "path to a file with the atom quality table (accepted, not used)"},
      {'C', "compiled-rules", K::kFlag, "", "load compiled rules"},
      {'c', "count", K::kFlag, "", "print only number of matches"},
      {'d', "define", K::kString, "VAR=VALUE", "define external variable"},
      {0, "fail-on-warnings", K::kFlag, "", "fail on warnings"},
      {'f', "fast-scan", K::kFlag, "", "fast matching mode"},
      {'h', "help", K::kFlag, "", "show this help and exit"},
      {'i', "identifier", K::kString, "IDENTIFIER", "print only rules named IDENTIFIER"},
      {0, "max-process-memory-chunk", K::kInteger, "NUMBER",
       "set maximum chunk size while reading process memory (default=1073741824)"},
      {'l', "max-rules", K::kInteger, "NUMBER", "abort scanning after matching a NUMBER of rules"},
      {0, "max-strings-per-rule", K::kInteger, "NUMBER",
       "set maximum number of strings per rule (default=10000)"},
      {'x', "module-data", K::kString, "MODULE=FILE",
       "pass FILE's content as extra data to MODULE"},
      {'n', "negate", K::kFlag, "", "print only not satisfied rules (negate)"},
      {'N', "no-follow-symlinks", K::kFlag, "", "do not follow symlinks when scanning"},
      {'w', "no-warnings", K::kFlag, "", "disable warnings"},
      {'m', "print-meta", K::kFlag, "", "print metadata"},
      {'D', "print-module-data", K::kFlag, "", "print module data"},
      {'e', "print-namespace", K::kFlag, "", "print rules' namespace"},
      {'S', "print-stats", K::kFlag, "", "print rules' statistics"},
      {'s', "print-strings", K::kFlag, "", "print matching strings"},
      {'L', "print-string-length", K::kFlag, "", "print length of matched strings"},
      {'X', "print-xor-key", K::kFlag, "", "print xor key and plaintext of matched strings"},
      {'g', "print-tags", K::kFlag, "", "print tags"},
      {'r', "recursive", K::kFlag, "", "recursively search directories"},
      {0, "scan-list", K::kFlag, "", "scan files listed in FILE, one per line"},
      {0, "strict-escape", K::kFlag, "",
       "print warnings if a string contains an invalid escape sequence"},
      {'z', "skip-larger", K::kInteger, "NUMBER",
       "skip files larger than the given size when scanning a directory"},
      {'k', "stack-size", K::kInteger, "SLOTS",
       "set maximum stack size (accepted, no effect: vigie has no fixed stack)"},
      {'t', "tag", K::kString, "TAG", "print only rules tagged as TAG"},
      {'p', "threads", K::kInteger, "NUMBER",
       "use the specified NUMBER of threads to scan a directory (default: one per core)"},
      {'a', "timeout", K::kInteger, "SECONDS", "abort scanning after the given number of SECONDS"},
      {'q', "disable-console-logs", K::kFlag, "", "disable printing console log messages"},
      {'v', "version", K::kFlag, "", "show version information"},
  };
  return table;
}

enum YaracOpt : size_t {
  kcAtomTable,
  kcDefine,
  kcFailOnWarnings,
  kcHelp,
  kcMaxStrings,
  kcNoWarnings,
  kcStrictEscape,
  kcVersion,
};

const std::vector<OptionSpec>& yarac_table() {
  static const std::vector<OptionSpec> table = {
      {0, "atom-quality-table", K::kString, "FILE",
       "path to a file with the atom quality table (accepted, not used)"},
      {'d', "define", K::kString, "VAR=VALUE", "define external variable"},
      {0, "fail-on-warnings", K::kFlag, "", "fail on warnings"},
      {'h', "help", K::kFlag, "", "show this help and exit"},
      {0, "max-strings-per-rule", K::kInteger, "NUMBER",
       "set maximum number of strings per rule (default=10000)"},
      {'w', "no-warnings", K::kFlag, "", "disable warnings"},
      {0, "strict-escape", K::kFlag, "",
       "print warnings if a string contains an invalid escape sequence"},
      {'v', "version", K::kFlag, "", "show version information"},
  };
  return table;
}

const char kYaraUsage[] =
    "Usage: vigie-yara [OPTION]... [NAMESPACE:]RULES_FILE... FILE | DIR | PID\n";
const char kYaracUsage[] =
    "Usage: vigie-yarac [OPTION]... [NAMESPACE:]SOURCE_FILE... OUTPUT_FILE\n";

std::string last_string(const ParsedArgs& a, size_t i) {
  return a.strings[i].empty() ? std::string() : a.strings[i].back();
}

}  // namespace

std::string version_text() { return std::string("4.5.0 (vigie ") + vigie::kVersion + ")\n"; }

std::string yara_help() {
  return std::string("vigie-yara ") + vigie::kVersion + ", a YARA 4.5 compatible scanner.\n" +
         kYaraUsage +
         "\nMandatory arguments to long options are mandatory for short options too.\n\n" +
         format_option_help(yara_table(), 36) +
         "\nA TARGET that is a number and not an existing file is a process id.\n";
}

std::string yarac_help() {
  return std::string(kYaracUsage) + "\n" + format_option_help(yarac_table(), 33) +
         "\nThe output is in vigie's compiled rules format; load it with vigie-yara -C.\n";
}

Command<YaraOptions> parse_yara_command(const std::vector<std::string>& args) {
  Command<YaraOptions> cmd;
  ParseResult p = parse_args(yara_table(), args);
  if (!p.ok) {
    cmd.exit_code = 1;
    cmd.err = p.error + "\n";
    return cmd;
  }
  const ParsedArgs& a = p.args;
  if (a.has(kVersion)) {
    cmd.out = version_text();
    return cmd;
  }
  if (a.has(kHelp)) {
    cmd.out = yara_help();
    return cmd;
  }
  if (a.positional.size() < 2) {
    cmd.exit_code = 1;
    cmd.err = std::string("vigie-yara: wrong number of arguments\n") + kYaraUsage +
              "\nTry `--help` for more options\n";
    return cmd;
  }
  YaraOptions& o = cmd.options;
  o.threads = a.integer(kThreads, 0);
  if (o.threads > kMaxThreads) {
    cmd.exit_code = 1;
    cmd.err = "maximum number of threads is " + std::to_string(kMaxThreads) + "\n";
    return cmd;
  }
  o.compiled_rules = a.has(kCompiled);
  if (o.compiled_rules && a.positional.size() > 2) {
    cmd.exit_code = 1;
    cmd.err = "error: can't accept multiple rules files if one of them is in compiled form.\n";
    return cmd;
  }
  o.count = a.has(kCount);
  o.fail_on_warnings = a.has(kFailOnWarnings);
  o.fast_scan = a.has(kFast);
  o.negate = a.has(kNegate);
  o.no_follow_symlinks = a.has(kNoFollow);
  o.no_warnings = a.has(kNoWarnings);
  o.print_meta = a.has(kMeta);
  o.print_module_data = a.has(kModuleDump);
  o.print_namespace = a.has(kNamespace);
  o.print_stats = a.has(kStats);
  o.print_strings = a.has(kStrings);
  o.print_string_length = a.has(kLength);
  o.print_xor_key = a.has(kXorKey);
  o.print_tags = a.has(kTags);
  o.recursive = a.has(kRecursive);
  o.scan_list = a.has(kScanList);
  o.strict_escape = a.has(kStrictEscape);
  o.disable_console_logs = a.has(kConsole);
  o.defines = a.strings[kDefine];
  o.identifiers = a.strings[kIdentifier];
  o.module_data = a.strings[kModuleData];
  o.tags = a.strings[kTag];
  o.atom_quality_table = last_string(a, kAtomTable);
  o.max_rules = a.integer(kMaxRules, 0);
  o.timeout_seconds = a.integer(kTimeout, 1000000);
  o.skip_larger = a.integer(kSkipLarger, 0);
  o.stack_size = a.integer(kStack, 16384);
  o.max_strings_per_rule = a.integer(kMaxStrings, 10000);
  o.max_process_memory_chunk = a.integer(kMaxChunk, 1073741824);
  o.rule_files.assign(a.positional.begin(), a.positional.end() - 1);
  o.target = a.positional.back();
  cmd.run = true;
  return cmd;
}

Command<YaracOptions> parse_yarac_command(const std::vector<std::string>& args) {
  Command<YaracOptions> cmd;
  ParseResult p = parse_args(yarac_table(), args);
  if (!p.ok) {
    cmd.exit_code = 1;
    cmd.err = p.error + "\n";
    return cmd;
  }
  const ParsedArgs& a = p.args;
  if (a.has(kcVersion)) {
    cmd.out = version_text();
    return cmd;
  }
  if (a.has(kcHelp)) {
    cmd.out = yarac_help();
    return cmd;
  }
  if (a.positional.size() < 2) {
    cmd.exit_code = 1;
    cmd.err = std::string("vigie-yarac: wrong number of arguments\n") + kYaracUsage +
              "\nTry `--help` for more options\n";
    return cmd;
  }
  YaracOptions& o = cmd.options;
  o.fail_on_warnings = a.has(kcFailOnWarnings);
  o.no_warnings = a.has(kcNoWarnings);
  o.strict_escape = a.has(kcStrictEscape);
  o.defines = a.strings[kcDefine];
  o.atom_quality_table = last_string(a, kcAtomTable);
  o.max_strings_per_rule = a.integer(kcMaxStrings, 10000);
  o.rule_files.assign(a.positional.begin(), a.positional.end() - 1);
  o.output = a.positional.back();
  cmd.run = true;
  return cmd;
}

}  // namespace vigie::cli
