// Golden diagnostics: every NAME.yar in this directory is parsed and the format() of all its
// diagnostics must equal NAME.out byte for byte. Run with VIGIE_UPDATE_GOLDEN=1 to rewrite the
// .out files from the current output (then review the diff).
//
// A first line "// options: strict_escape no_includes max_depth=N" sets ParseOptions. Files are
// parsed from this directory under their bare names, so messages are the same on every machine;
// include/ holds files that the cases include and is not a case itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lang/parser.h"

namespace vigie::lang {
namespace {

std::filesystem::path golden_dir() {
  const char* env = std::getenv("VIGIE_SOURCE_DIR");
  std::filesystem::path src = env ? env : VIGIE_SOURCE_DIR;
  return src / "tests" / "golden" / "diagnostics";
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ParseOptions options_of(const std::string& text) {
  ParseOptions o;
  std::string first = text.substr(0, text.find('\n'));
  if (first.rfind("// options:", 0) != 0) return o;
  std::istringstream words(first.substr(11));
  std::string w;
  while (words >> w) {
    if (w == "strict_escape")
      o.strict_escape = true;
    else if (w == "no_includes")
      o.allow_includes = false;
    else if (w.rfind("max_depth=", 0) == 0)
      o.max_depth = std::stoul(w.substr(10));
    else
      ADD_FAILURE() << "unknown option " << w;
  }
  return o;
}

std::vector<std::string> cases() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(golden_dir(), ec))
    if (e.path().extension() == ".yar") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenDiagnostics : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenDiagnostics, MatchesExpectedOutput) {
  std::filesystem::path dir = golden_dir();
  std::filesystem::path saved = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  std::string name = GetParam() + ".yar";
  Program program;
  std::vector<Diagnostic> diags;
  bool ok = parse_file(name, options_of(read(name)), program, diags);
  std::filesystem::current_path(saved);
  std::string out;
  for (const auto& d : diags) out += d.format();
  bool has_error = std::any_of(diags.begin(), diags.end(),
                               [](const Diagnostic& d) { return d.severity == Severity::kError; });
  EXPECT_EQ(ok, !has_error);
  std::filesystem::path expected_path = dir / (GetParam() + ".out");
  if (const char* u = std::getenv("VIGIE_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(expected_path, std::ios::binary) << out;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(expected_path))
      << expected_path << " is missing; run with VIGIE_UPDATE_GOLDEN=1";
  EXPECT_EQ(out, read(expected_path));
}

INSTANTIATE_TEST_SUITE_P(Files, GoldenDiagnostics, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param; });

TEST(GoldenDiagnostics, DirectoryHasCases) { EXPECT_GE(cases().size(), 8u); }

}  // namespace
}  // namespace vigie::lang
