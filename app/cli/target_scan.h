// Scanning one target (a file or a process) and producing what yara prints for it.
//
// RuleReporter is the ScanCallback: it applies yara's filters in yara's order. -t keeps rules
// that have one of the tags, -i (which overrides -t) rules with one of the names, -n turns
// the selection to rules that did not match. The count behind -c and -l counts every matching
// rule, shown or not, and the scan stops once -l matching rules were seen: so `-l 1 -t T`
// prints nothing when the first matching rule lacks T, as yara does.
//
// With --fail-on-warnings, a "too many matches" warning turns the scan into an error: the
// reporter stops the scan at the next rule and the target's output is replaced by yara's
// error line.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "cli/output_format.h"
#include "vigie/scanner.h"

namespace vigie::cli {

struct ReportSettings {
  OutputOptions output;
  bool count = false;
  bool negate = false;
  bool no_warnings = false;
  bool fail_on_warnings = false;
  bool disable_console_logs = false;
  bool print_module_data = false;
  std::vector<std::string> tags;
  std::vector<std::string> identifiers;
  int64_t max_rules = 0;
};

// What one target printed, and whether scanning it failed.
struct TargetOutput {
  std::string out;
  std::string err;
  bool failed = false;
};

class RuleReporter final : public ScanCallback {
 public:
  RuleReporter(const ReportSettings& settings, std::string_view target, std::string* out,
               std::string* err);

  CallbackAction on_rule_matching(const MatchedRule& rule) override;
  CallbackAction on_rule_not_matching(const MatchedRule& rule) override;
  void on_warning(const ScanWarning& warning) override;
  void on_console_log(std::string_view message) override;
  void on_module_data(std::string_view module, std::string_view dump) override;

  int64_t matching_count() const { return count_; }
  // Set when --fail-on-warnings turned a warning into an error: yara's message for it.
  const std::string& failure() const { return failure_; }

 private:
  CallbackAction handle(const MatchedRule& rule, bool matching);
  bool selected(const MatchedRule& rule) const;

  const ReportSettings& settings_;
  std::string_view target_;
  std::string* out_;
  std::string* err_;
  int64_t count_ = 0;
  std::string failure_;
};

// How -c prints: `N` for a single target, `name: N` for each file of a directory or list.
enum class CountStyle { kPlain, kNamed };

// Regular files are scanned through their descriptor; anything else that can be opened (a
// fifo, a device, a /proc file) is scanned as empty data, which is what yara does with files
// whose size is 0. Opening never blocks on a fifo without writer.
TargetOutput scan_file_target(Scanner& scanner, const ReportSettings& settings,
                              const std::string& path, CountStyle style);
TargetOutput scan_process_target(Scanner& scanner, const ReportSettings& settings, pid_t pid,
                                 const std::string& name);

// yara's text for a failed scan ("could not open file", "scanning timed out", ...).
std::string scan_error_text(const Error& error);

}  // namespace vigie::cli
