#include "cli/rule_loading.h"

#include <fcntl.h>
#include <unistd.h>

#include "cli/externals.h"

namespace vigie::cli {
namespace {

bool can_open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

void print_diagnostics(const Compiler& c, bool no_warnings, size_t* printed, Console& console) {
  std::string text;
  auto all = c.diagnostics();
  for (; *printed < all.size(); ++*printed) {
    const Diagnostic& d = all[*printed];
    if (d.severity == Severity::kWarning && no_warnings) continue;
    text += d.format();
  }
  console.err(text);
}

}  // namespace

std::shared_ptr<const Rules> compile_rule_files(const SourceSettings& s, Console& console) {
  CompilerOptions options = s.compiler;
  if (s.no_warnings) options.warnings_as_errors = false;  // yara: no effect with -w
  Compiler c(options);
  size_t printed = 0;
  bool ok = true;
  for (const std::string& arg : s.defines) {
    std::optional<Define> d = parse_define(arg);
    if (!d) {
      console.err("error: wrong syntax for `-d` option.\n");
      continue;
    }
    ok = c.define_external(d->name, d->value) && ok;
  }
  print_diagnostics(c, s.no_warnings, &printed, console);
  if (!ok) return nullptr;
  for (const std::string& arg : s.rule_files) {
    RuleSource src = split_rule_argument(arg);
    if (!can_open(src.path)) {
      console.err("error: could not open file: " + src.path + "\n");
      return nullptr;
    }
    c.add_file(src.path, src.ns);
    print_diagnostics(c, s.no_warnings, &printed, console);
  }
  std::shared_ptr<const Rules> rules = c.build();
  print_diagnostics(c, s.no_warnings, &printed, console);
  if (!rules && c.error_count() == 0 && c.warning_count() == 0)
    console.err("error: the rules could not be compiled\n");
  return rules;
}

std::shared_ptr<const Rules> load_compiled_rules(const std::string& path, Console& console) {
  Error e;
  std::shared_ptr<const Rules> rules = Rules::load(std::filesystem::path(path), &e);
  if (rules) return rules;
  switch (e.code) {
    case ErrorCode::kCouldNotOpen:
      console.err("could not open file\n");
      break;
    case ErrorCode::kForeignRules:
      console.err("error: " + e.message +
                  (e.message.find("vigie-yarac") == std::string::npos
                       ? ": recompile the rules from their sources with vigie-yarac"
                       : "") +
                  "\n");
      break;
    default:
      console.err("invalid compiled rules file.\n");
      break;
  }
  return nullptr;
}

}  // namespace vigie::cli
