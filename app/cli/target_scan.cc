#include "cli/target_scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace vigie::cli {

RuleReporter::RuleReporter(const ReportSettings& settings, std::string_view target,
                           std::string* out, std::string* err)
    : settings_(settings), target_(target), out_(out), err_(err) {}

bool RuleReporter::selected(const MatchedRule& rule) const {
  bool show = true;
  if (!settings_.tags.empty()) {
    show = std::any_of(settings_.tags.begin(), settings_.tags.end(), [&](const std::string& t) {
      return std::find(rule.tags.begin(), rule.tags.end(), t) != rule.tags.end();
    });
  }
  if (!settings_.identifiers.empty()) {
    show = std::find(settings_.identifiers.begin(), settings_.identifiers.end(), rule.identifier) !=
           settings_.identifiers.end();
  }
  return show;
}

CallbackAction RuleReporter::handle(const MatchedRule& rule, bool matching) {
  if (!failure_.empty()) return CallbackAction::kAbort;
  if (selected(rule) && matching != settings_.negate && !settings_.count) {
    append_rule_line(*out_, rule, target_, settings_.output);
    append_string_lines(*out_, rule, settings_.output);
  }
  if (matching) ++count_;
  if (settings_.max_rules != 0 && count_ >= settings_.max_rules) return CallbackAction::kAbort;
  return CallbackAction::kContinue;
}

CallbackAction RuleReporter::on_rule_matching(const MatchedRule& rule) {
  return handle(rule, true);
}

CallbackAction RuleReporter::on_rule_not_matching(const MatchedRule& rule) {
  return handle(rule, false);
}

void RuleReporter::on_warning(const ScanWarning& w) {
  if (settings_.no_warnings) return;
  if (w.kind == ScanWarning::Kind::kTooManyMatches) {
    *err_ += "warning: rule \"" + std::string(w.rule) + "\": too many matches for " +
             std::string(w.string) + ", results for this rule may be incorrect\n";
  } else {
    *err_ += "warning: rule \"" + std::string(w.rule) + "\": " + w.message + "\n";
  }
  if (settings_.fail_on_warnings && failure_.empty()) {
    failure_ = w.kind == ScanWarning::Kind::kTooManyMatches
                   ? "string \"" + std::string(w.string) + "\" in rule \"" + std::string(w.rule) +
                         "\" caused too many matches"
                   : w.message;
  }
}

void RuleReporter::on_console_log(std::string_view message) {
  if (settings_.disable_console_logs) return;
  *out_ += message;
  *out_ += '\n';
}

void RuleReporter::on_module_data(std::string_view module, std::string_view dump) {
  if (settings_.print_module_data) *out_ += dump;
}

std::string scan_error_text(const Error& e) {
  switch (e.code) {
    case ErrorCode::kCouldNotOpen:
      return "could not open file";
    case ErrorCode::kCouldNotRead:
      return "could not map file into memory";
    case ErrorCode::kTimeout:
      return "scanning timed out";
    case ErrorCode::kProcessAccess:
      return "can not attach to process (try running as root)";
    case ErrorCode::kTooLarge:
      return "file too large";
    default:
      return "internal error: " + e.message;
  }
}

namespace {

ScanOptions& configure(Scanner& scanner, const ReportSettings& settings) {
  ScanOptions& o = scanner.options();
  o.report_non_matching = settings.negate;
  o.report_module_data = settings.print_module_data;
  return o;
}

// Turns the scan's result into the target's text: the count line, or an error line.
void finish(TargetOutput& t, const Error& e, const RuleReporter& reporter, const std::string& name,
            CountStyle style, const ReportSettings& settings) {
  bool failed = (e && e.code != ErrorCode::kAborted) || !reporter.failure().empty();
  if (failed) {
    t.failed = true;
    if (!reporter.failure().empty()) t.out.clear();
    t.err += "error scanning " + name + ": " +
             (reporter.failure().empty() ? scan_error_text(e) : reporter.failure()) + "\n";
  }
  if (settings.count && (style == CountStyle::kNamed || !failed)) {
    t.out += style == CountStyle::kNamed ? name + ": " : std::string();
    t.out += std::to_string(reporter.matching_count()) + "\n";
  }
}

}  // namespace

TargetOutput scan_file_target(Scanner& scanner, const ReportSettings& settings,
                              const std::string& path, CountStyle style) {
  TargetOutput t;
  configure(scanner, settings);
  RuleReporter reporter(settings, path, &t.out, &t.err);
  Error e;
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    e = Error{ErrorCode::kCouldNotOpen, path};
  } else {
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      e = scanner.scan_fd(fd, reporter);
    } else {
      e = scanner.scan_buffer({}, reporter);
    }
    ::close(fd);
  }
  finish(t, e, reporter, path, style, settings);
  return t;
}

TargetOutput scan_process_target(Scanner& scanner, const ReportSettings& settings, pid_t pid,
                                 const std::string& name) {
  TargetOutput t;
  configure(scanner, settings);
  RuleReporter reporter(settings, name, &t.out, &t.err);
  Error e = scanner.scan_process(pid, reporter);
  finish(t, e, reporter, name, CountStyle::kPlain, settings);
  return t;
}

}  // namespace vigie::cli
