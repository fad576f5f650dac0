#include <gtest/gtest.h>

#include <sstream>

#include "modules/testing/module_harness.h"

namespace vigie::mod {
namespace {

using testing::Harness;

Value I(int64_t v) { return Value::integer(v); }
Value F(double v) { return Value::real(v); }
Value S(std::string v) { return Value::string(std::move(v)); }

struct Case {
  std::string yara_args;  // as written in a rule
  const char* fn;
  std::string params;
  std::vector<Value> args;
};

// Each call's log line, compared with what yara prints for the same call.
TEST(Console, OutputMatchesYara) {
  const std::vector<Case> cases = {
      {"\"plain\"", "log", "s", {S("plain")}},
      {"\"a\\x00b\\x01c\\\"\\\\\"",
       "log",
       "s",
       {S(std::string("a\0b\x01"
                      "c\"\\",
                      7))}},
      {"\"msg: \", \"x\\ty\"", "log", "ss", {S("msg: "), S("x\ty")}},
      {"\"m\\t\\x00z\", \"v\"", "log", "ss", {S(std::string("m\t\0z", 4)), S("v")}},
      {"-3", "log", "i", {I(-3)}},
      {"\"i \", 42", "log", "si", {S("i "), I(42)}},
      {"1.5", "log", "f", {F(1.5)}},
      {"\"f \", 2.25", "log", "sf", {S("f "), F(2.25)}},
      {"100000000000000000000.0", "log", "f", {F(1e20)}},
      {"255", "hex", "i", {I(255)}},
      {"-1", "hex", "i", {I(-1)}},
      {"\"h \", 4096", "hex", "si", {S("h "), I(4096)}},
  };
  Harness h("console", {});
  std::string rules = "import \"console\"\nrule vigie_rule { condition: true";
  for (const Case& c : cases) {
    Value v = h.call(c.fn, c.params, c.args);
    ASSERT_TRUE(v.defined());
    EXPECT_EQ(v.i, 1);
    rules += std::string(" and console.") + c.fn + "(" + c.yara_args + ")";
  }
  rules += " }\n";
  std::string out = testing::run_yara(rules, "/usr/bin/ls");
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), cases.size() + 1) << out;
  ASSERT_EQ(h.log().size(), cases.size());
  for (size_t k = 0; k < cases.size(); ++k) EXPECT_EQ(h.log()[k], lines[k]) << cases[k].yara_args;
}

TEST(Console, UndefinedArgumentLogsNothing) {
  Harness h("console", {});
  EXPECT_FALSE(h.call("log", "i", {Value::undefined()}).defined());
  EXPECT_FALSE(h.call("log", "ss", {S("m"), Value::undefined()}).defined());
  EXPECT_TRUE(h.log().empty());
}

}  // namespace
}  // namespace vigie::mod
