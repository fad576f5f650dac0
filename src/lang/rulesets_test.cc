// The acceptance bar: the public rule sets (about 20,000 rules) parse with no error.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "lang/parser.h"

namespace vigie::lang {
namespace {

std::filesystem::path rules_dir() {
  const char* env = std::getenv("VIGIE_SOURCE_DIR");
  std::filesystem::path src = env ? env : VIGIE_SOURCE_DIR;
  return src / ".." / "shared" / "rules";
}

struct RuleSet {
  std::string file;
  size_t rules;  // counted independently, with grep over "rule NAME" headers
};

class RuleSets : public ::testing::TestWithParam<RuleSet> {};

TEST_P(RuleSets, ParseWithoutErrors) {
  std::filesystem::path path = rules_dir() / GetParam().file;
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  Program p;
  std::vector<Diagnostic> d;
  bool ok = parse_file(path, {}, p, d);
  std::string first;
  for (const auto& x : d)
    if (x.severity == Severity::kError) {
      first = x.format();
      break;
    }
  EXPECT_TRUE(ok) << first;
  EXPECT_EQ(first, "");
  EXPECT_EQ(p.rules.size(), GetParam().rules);
  for (const Rule& r : p.rules) ASSERT_NE(r.condition, kNoExpr) << r.name;
}

INSTANTIATE_TEST_SUITE_P(Public, RuleSets,
                         ::testing::Values(RuleSet{"bartblaze.yar", 135},
                                           RuleSet{"reversinglabs.yar", 1204},
                                           RuleSet{"signature-base.yar", 5883},
                                           RuleSet{"yararules-community.yar", 12747}),
                         [](const auto& info) {
                           std::string n = info.param.file.substr(0, info.param.file.find('.'));
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace vigie::lang
