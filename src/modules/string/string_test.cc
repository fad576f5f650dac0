#include <gtest/gtest.h>

#include "modules/testing/module_harness.h"

// yara 4.2.3 predates the string module, so these cases come from the YARA 4.5 documentation and
// from strtoll's definition.
namespace vigie::mod {
namespace {

using testing::Harness;

Value to_int(Harness& h, std::string s) { return h.call("to_int", "s", {Value::string(s)}); }
Value to_int(Harness& h, std::string s, int64_t base) {
  return h.call("to_int", "si", {Value::string(s), Value::integer(base)});
}

TEST(String, ToIntFollowsTheDocumentation) {
  Harness h("string", {});
  EXPECT_EQ(to_int(h, "1234").i, 1234);
  EXPECT_EQ(to_int(h, "-10").i, -10);
  EXPECT_EQ(to_int(h, "-010").i, -8);
  EXPECT_EQ(to_int(h, "0x1f").i, 31);
  EXPECT_EQ(to_int(h, "+7").i, 7);
  EXPECT_EQ(to_int(h, "011", 8).i, 9);
  EXPECT_EQ(to_int(h, "-011", 0).i, -9);
  EXPECT_EQ(to_int(h, "zz", 36).i, 35 * 36 + 35);
  EXPECT_EQ(to_int(h, "9223372036854775807").i, INT64_MAX);
}

TEST(String, ToIntIsUndefinedOnBadInput) {
  Harness h("string", {});
  EXPECT_FALSE(to_int(h, "").defined());
  EXPECT_FALSE(to_int(h, "12abc").defined());
  EXPECT_FALSE(to_int(h, "abc").defined());
  EXPECT_FALSE(to_int(h, "9223372036854775808").defined());
  EXPECT_FALSE(to_int(h, "12", 1).defined());
  EXPECT_FALSE(to_int(h, "12", 37).defined());
  EXPECT_FALSE(to_int(h, "19", 8).defined());
  EXPECT_FALSE(h.call("to_int", "s", {Value::undefined()}).defined());
  // Read as a C string: the text ends at the first NUL.
  EXPECT_EQ(to_int(h, std::string("12\0x", 4)).i, 12);
}

TEST(String, LengthCountsEveryByte) {
  Harness h("string", {});
  EXPECT_EQ(h.call("length", "s", {Value::string(std::string("AXS\0ERS", 7))}).i, 7);
  EXPECT_EQ(h.call("length", "s", {Value::string("")}).i, 0);
}

TEST(Time, NowIsTheCurrentTime) {
  Harness h("time", {});
  int64_t before = static_cast<int64_t>(std::time(nullptr));
  Value v = h.call("now", "", {});
  int64_t after = static_cast<int64_t>(std::time(nullptr));
  ASSERT_TRUE(v.defined());
  EXPECT_GE(v.i, before);
  EXPECT_LE(v.i, after);
  EXPECT_TRUE(testing::yara_true(
      "import \"time\" rule vigie_rule { condition: time.now() >= " + std::to_string(before) +
          " and time.now() < " + std::to_string(after + 3600) + " }",
      "/usr/bin/ls"));
}

}  // namespace
}  // namespace vigie::mod
