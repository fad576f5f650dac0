#include "cli/externals.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace vigie::cli {
namespace {

// How yara 4.2.3 typed each value, found by comparing `-d x=VALUE` against integer, float and
// string conditions.
TEST(Externals, TypedLikeYara) {
  EXPECT_EQ(typed_value("16"), ExternalValue(int64_t{16}));
  EXPECT_EQ(typed_value("-5"), ExternalValue(int64_t{-5}));
  EXPECT_EQ(typed_value("007"), ExternalValue(int64_t{7}));
  EXPECT_EQ(typed_value("010"), ExternalValue(int64_t{10}));
  EXPECT_EQ(typed_value("99999999999999999999"), ExternalValue(int64_t{INT64_MAX}));
  EXPECT_EQ(typed_value("1.5"), ExternalValue(1.5));
  EXPECT_EQ(typed_value("-1.5"), ExternalValue(-1.5));
  EXPECT_EQ(typed_value("1."), ExternalValue(1.0));
  EXPECT_EQ(typed_value("true"), ExternalValue(true));
  EXPECT_EQ(typed_value("false"), ExternalValue(false));
  for (const char* s :
       {"0x10", "+5", ".5", "-.5", "1e3", "TRUE", "", "-", "1.2.3", "1.5x", "5x", " 5", "abc"})
    EXPECT_EQ(typed_value(s), ExternalValue(std::string(s))) << s;
}

TEST(Externals, DefineSplitsAtFirstEquals) {
  auto d = parse_define("x=a=b");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "x");
  EXPECT_EQ(d->value, ExternalValue(std::string("a=b")));
  EXPECT_FALSE(parse_define("x"));
  auto e = parse_define("x=");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, ExternalValue(std::string()));
}

TEST(Externals, NamespaceUnlessTheWholeArgumentIsAFile) {
  RuleSource a = split_rule_argument("ns:path/r.yar");
  EXPECT_EQ(a.ns, "ns");
  EXPECT_EQ(a.path, "path/r.yar");
  RuleSource b = split_rule_argument("x:y:r.yar");
  EXPECT_EQ(b.ns, "x");
  EXPECT_EQ(b.path, "y:r.yar");
  RuleSource c = split_rule_argument(":r.yar");
  EXPECT_EQ(c.ns, "");
  EXPECT_EQ(split_rule_argument("r.yar").ns, "default");

  auto dir = std::filesystem::temp_directory_path() / ("vigie_ext_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string colon_file = (dir / "a:b.yar").string();
  std::ofstream(colon_file) << "rule r { condition: true }";
  RuleSource d = split_rule_argument(colon_file);
  EXPECT_EQ(d.ns, "default");
  EXPECT_EQ(d.path, colon_file);
  std::filesystem::remove_all(dir);
}

TEST(Externals, ProcessIdSpelling) {
  EXPECT_TRUE(is_integer_text("123"));
  EXPECT_TRUE(is_integer_text("-1"));
  EXPECT_FALSE(is_integer_text(""));
  EXPECT_FALSE(is_integer_text("-"));
  EXPECT_FALSE(is_integer_text("12a"));
  EXPECT_FALSE(is_integer_text("0x1"));
}

}  // namespace
}  // namespace vigie::cli
