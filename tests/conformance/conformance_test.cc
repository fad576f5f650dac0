// The conformance suite of the YARA 4.5 language, run through libvigie's public API.
//
// Every case of tests/conformance/cases/*.txt (format in FORMAT.md) becomes one test, named
// Cases/<file>_<number>. A case is compiled with vigie::Compiler (sources that take part in
// include directives are written to a temporary directory and added as files, the others are
// added from memory under the same names), scanned with vigie::Scanner over the case's bytes,
// and everything the case states is compared: the exact set of reported rules, their tags,
// metadata and string matches, compile errors and warnings (line, libvigie code, the names the
// message must mention), scan errors and scan warnings.
//
// The expectations come from the specification, not from this engine: a failing test is either
// an engine bug or a missing feature. The cases marked `yara42: differs` are expected to pass
// here; the marker only concerns the reference yara 4.2.3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "case_file.h"
#include "vigie/vigie.h"

namespace vigie::conformance {

// How gtest shows a case in its messages.
void PrintTo(const Case& c, std::ostream* os) { *os << c.where(); }

namespace {

namespace fs = std::filesystem;

std::string cases_dir() {
  const char* env = std::getenv("VIGIE_SOURCE_DIR");
  std::string root = env && *env ? env : VIGIE_SOURCE_DIR;
  return root + "/tests/conformance/cases";
}

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = load_cases(cases_dir());
  return cases;
}

// What a scan reported about one rule.
struct Reported {
  std::vector<std::string> tags;
  std::vector<std::string> metas;  // "key=value", in order
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> strings;
  std::set<std::string> private_strings;
};

std::string show(const CaseValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return "\"" + std::get<std::string>(v) + "\"";
}

std::string show(const Meta& m) {
  switch (m.type) {
    case Meta::Type::kInteger:
      return m.identifier + "=" + std::to_string(m.integer);
    case Meta::Type::kBoolean:
      return m.identifier + "=" + (m.boolean ? "true" : "false");
    case Meta::Type::kString:
      return m.identifier + "=\"" + m.string + "\"";
  }
  return m.identifier + "=?";
}

ExternalValue to_external(const CaseValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* b = std::get_if<bool>(&v)) return *b;
  return std::get<std::string>(v);
}

class Collector : public ScanCallback {
 public:
  std::map<std::string, Reported> rules;
  std::vector<std::string> warnings;  // kTooManyMatches only: slow-scan notes are not checked
  std::vector<std::string> order_problems;

  CallbackAction on_rule_matching(const MatchedRule& rule) override {
    std::string name = std::string(rule.ns) + ":" + std::string(rule.identifier);
    Reported& r = rules[name];
    for (auto& t : rule.tags) r.tags.push_back(t);
    for (auto& m : rule.metas) r.metas.push_back(show(m));
    for (auto& s : rule.strings) {
      std::string id(s.identifier);
      if (s.is_private) r.private_strings.insert(id);
      uint64_t last = 0;
      for (size_t i = 0; i < s.matches.size(); ++i) {
        if (i && s.matches[i].offset < last)
          order_problems.push_back(name + " " + id + ": matches not in increasing offset order");
        last = s.matches[i].offset;
        // The spec: private strings are never reported; the API flags them instead.
        if (!s.is_private) r.strings[id].emplace_back(s.matches[i].offset, s.matches[i].length);
      }
    }
    return CallbackAction::kContinue;
  }
  void on_warning(const ScanWarning& w) override {
    if (w.kind == ScanWarning::Kind::kTooManyMatches)
      warnings.push_back("too many matches for " + std::string(w.string) + ": " + w.message);
  }
};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The "quoted" names in yara's wording of a diagnostic; libvigie's message must mention them.
std::vector<std::string> quoted_names(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = text.find('"', i)) != std::string::npos) {
    size_t j = text.find('"', i + 1);
    if (j == std::string::npos) break;
    out.push_back(text.substr(i + 1, j - i - 1));
    i = j + 1;
  }
  return out;
}

bool diagnostic_matches(const ExpectedDiagnostic& e, const Diagnostic& d) {
  std::string want_file = e.file.empty() ? "main.yar" : fs::path(e.file).filename().string();
  if (fs::path(d.location.file).filename().string() != want_file) return false;
  if (d.location.line != e.line) return false;
  if (!e.codes.empty() && std::find(e.codes.begin(), e.codes.end(), d.code) == e.codes.end())
    return false;
  for (auto& name : quoted_names(e.text))
    if (d.message.find(name) == std::string::npos) return false;
  return true;
}

std::string describe(std::span<const Diagnostic> diags) {
  std::string out;
  for (auto& d : diags) out += "\n    " + d.format_short();
  return out.empty() ? " (no diagnostics)" : out;
}

// A temporary directory removed at the end of the case.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "vigie-conformance-XXXXXX").string();
    if (char* p = mkdtemp(tmpl.data())) path = p;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

bool write_file(const fs::path& p, const std::string& text) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary);
  out << text << "\n";
  return static_cast<bool>(out);
}

// The file name each rule source gets, as check_with_yara.py names them.
std::vector<std::string> source_names(const Case& c) {
  std::vector<std::string> names;
  bool main_done = false;
  for (size_t i = 0; i < c.sources.size(); ++i) {
    if (c.sources[i].first == "default" && !main_done) {
      names.push_back("main.yar");
      main_done = true;
    } else {
      names.push_back("ns_" + std::to_string(i) + "_" + c.sources[i].first + ".yar");
    }
  }
  return names;
}

class CaseTest : public testing::TestWithParam<Case> {};

TEST_P(CaseTest, Conforms) {
  const Case& c = GetParam();
  std::string trace = c.where();
  for (auto& [ns, text] : c.sources) trace += "\n  rules " + ns + ":\n" + text;
  SCOPED_TRACE(trace);
  ASSERT_TRUE(c.parse_error.empty()) << c.parse_error;

  // Compile.
  CompilerOptions copts;
  if (c.max_strings_per_rule) copts.max_strings_per_rule = c.max_strings_per_rule;
  Compiler compiler(copts);
  for (auto& [name, value] : c.externals)
    ASSERT_TRUE(compiler.define_external(name, to_external(value))) << "external " << name;

  TempDir tmp;
  ASSERT_FALSE(tmp.path.empty()) << "cannot create a temporary directory";
  for (auto& [rel, text] : c.files) ASSERT_TRUE(write_file(tmp.path / rel, text)) << rel;
  auto names = source_names(c);
  for (size_t i = 0; i < c.sources.size(); ++i) {
    const auto& [ns, text] = c.sources[i];
    if (c.files.empty()) {
      compiler.add_source(text, ns, names[i]);
    } else {
      ASSERT_TRUE(write_file(tmp.path / names[i], text));
      compiler.add_file(tmp.path / names[i], ns);
    }
  }
  std::shared_ptr<const Rules> rules = compiler.build();
  auto diags = compiler.diagnostics();

  if (!c.errors.empty()) {
    EXPECT_EQ(rules, nullptr) << "compiled although errors were expected";
    for (auto& e : c.errors) {
      bool found = std::any_of(diags.begin(), diags.end(), [&](const Diagnostic& d) {
        return d.severity == Severity::kError && diagnostic_matches(e, d);
      });
      EXPECT_TRUE(found) << "expected an error at " << (e.file.empty() ? "main.yar" : e.file) << ":"
                         << e.line << " [" << join(e.codes) << "] " << e.text
                         << "; got:" << describe(diags);
    }
    return;
  }
  ASSERT_NE(rules, nullptr) << "compile failed:" << describe(diags);
  for (auto& w : c.warnings) {
    bool found = std::any_of(diags.begin(), diags.end(), [&](const Diagnostic& d) {
      return d.severity == Severity::kWarning && diagnostic_matches(w, d);
    });
    EXPECT_TRUE(found) << "expected a warning at line " << w.line << " " << w.text
                       << "; got:" << describe(diags);
  }

  // Scan.
  std::string data = c.data;
  if (!c.data_file.empty()) {
    std::ifstream in(c.data_file, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << c.data_file;
    std::ostringstream ss;
    ss << in.rdbuf();
    data = ss.str();
  }
  ScanOptions sopts;
  sopts.fast_mode = c.fast;
  sopts.timeout = std::chrono::milliseconds(1000ll * c.timeout_seconds);
  Scanner scanner(rules, sopts);
  for (auto& [name, value] : c.scan_externals) {
    Error e = scanner.set_external(name, to_external(value));
    ASSERT_TRUE(e.ok()) << "set_external " << name << ": " << e.message;
  }
  for (auto& [module, bytes] : c.module_data) {
    Error e = scanner.set_module_data(
        module,
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    ASSERT_TRUE(e.ok()) << "set_module_data " << module << ": " << e.message;
  }
  Collector got;
  Error err = scanner.scan_buffer(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()), got);

  if (!c.scan_error.empty()) {
    ASSERT_EQ(c.scan_error, "timeout") << "unknown scan-error in the case";
    EXPECT_EQ(err.code, ErrorCode::kTimeout) << "scan result: " << err.message;
    return;
  }
  ASSERT_TRUE(err.ok()) << "scan failed: " << err.message;
  EXPECT_TRUE(got.order_problems.empty()) << join(got.order_problems);

  std::vector<std::string> matched;
  for (auto& [name, r] : got.rules) matched.push_back(name);
  std::vector<std::string> want = c.expect_yes;
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  EXPECT_EQ(join(matched), join(want)) << "reported rules";
  for (auto& n : c.expect_no) EXPECT_EQ(got.rules.count(n), 0u) << n << " must not match";

  for (auto& m : c.matches) {
    std::vector<std::pair<uint64_t, uint64_t>> have;
    auto it = got.rules.find(m.rule);
    if (it != got.rules.end()) {
      auto s = it->second.strings.find(m.string_id);
      if (s != it->second.strings.end()) have = s->second;
    }
    std::sort(have.begin(), have.end());
    auto fmt = [](const std::vector<std::pair<uint64_t, uint64_t>>& v) {
      std::string out;
      for (auto& [o, l] : v) out += " " + std::to_string(o) + ":" + std::to_string(l);
      return out.empty() ? std::string(" (none)") : out;
    };
    EXPECT_EQ(fmt(have), fmt(m.matches)) << "matches of " << m.rule << " " << m.string_id;
  }
  for (auto& [rule, tags] : c.tags) {
    auto it = got.rules.find(rule);
    ASSERT_NE(it, got.rules.end()) << rule << " not reported, tags unchecked";
    EXPECT_EQ(join(it->second.tags), join(tags)) << "tags of " << rule;
  }
  for (auto& [rule, metas] : c.metas) {
    auto it = got.rules.find(rule);
    ASSERT_NE(it, got.rules.end()) << rule << " not reported, metadata unchecked";
    std::vector<std::string> want_metas;
    for (auto& [k, v] : metas) want_metas.push_back(k + "=" + show(v));
    EXPECT_EQ(join(it->second.metas), join(want_metas)) << "metadata of " << rule;
  }
  for (auto& w : c.scan_warnings) {
    bool found = std::any_of(got.warnings.begin(), got.warnings.end(), [&](const std::string& m) {
      return lower(m).find(lower(w)) != std::string::npos;
    });
    EXPECT_TRUE(found) << "expected a scan warning containing \"" << w
                       << "\"; got: " << join(got.warnings);
  }
  if (c.scan_warnings.empty()) {
    EXPECT_TRUE(got.warnings.empty()) << join(got.warnings);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, CaseTest, testing::ValuesIn(all_cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace vigie::conformance
