// The conformance case files (tests/conformance/cases/*.txt, described in FORMAT.md), parsed.
//
// The same format is read by check_with_yara.py; this parser follows it line by line so that
// both runners see the same cases. A malformed file yields one Case whose parse_error is set,
// so the suite reports it as a failing test instead of silently skipping it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace vigie::conformance {

// An external variable's value as written in a case: true/false, integer, float, "string".
using CaseValue = std::variant<int64_t, double, bool, std::string>;

struct ExpectedDiagnostic {
  std::string file;  // empty: main.yar
  uint32_t line = 0;
  std::vector<std::string> codes;  // any of these libvigie codes; empty: not checked
  std::string text;                // yara's wording; the "quoted" names in it must appear
};

struct ExpectedMatches {
  std::string rule;  // "ns:rule"
  std::string string_id;
  std::vector<std::pair<uint64_t, uint64_t>> matches;  // (offset, length), sorted
};

struct Case {
  std::string file;   // path of the case file
  uint32_t line = 0;  // line of the "===" header
  std::string title;
  std::string name;  // test name: <file stem>_<number>
  std::string parse_error;

  std::vector<std::pair<std::string, std::string>> sources;  // (namespace, text)
  std::vector<std::pair<std::string, std::string>> files;    // (relative path, text)
  std::string data;
  std::string data_file;  // absolute or relative to the case file's directory; empty: `data`
  std::vector<std::pair<std::string, CaseValue>> externals;
  std::vector<std::pair<std::string, CaseValue>> scan_externals;
  std::vector<std::pair<std::string, std::string>> module_data;  // (module, bytes)
  bool fast = false;
  uint32_t timeout_seconds = 0;
  uint32_t max_strings_per_rule = 0;  // 0: the default

  bool has_expect = false;
  std::vector<std::string> expect_yes;  // "ns:rule"
  std::vector<std::string> expect_no;
  std::vector<ExpectedMatches> matches;
  std::vector<std::pair<std::string, std::vector<std::string>>> tags;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, CaseValue>>>> metas;
  std::vector<ExpectedDiagnostic> errors;
  std::vector<ExpectedDiagnostic> warnings;
  std::string scan_error;
  std::vector<std::string> scan_warnings;
  std::string yara42;

  // "cases/x.txt:12: title", for messages.
  std::string where() const;
};

// Parses one case file. Never throws; problems end up in Case::parse_error.
std::vector<Case> parse_case_file(const std::string& path);

// Every case of every *.txt file in `dir`, in file-name order.
std::vector<Case> load_cases(const std::string& dir);

}  // namespace vigie::conformance
