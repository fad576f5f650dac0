// Parser tests: accepted syntax, YARA's errors and their offsets.
#include "re/parse.h"

#include <gtest/gtest.h>

#include "re/re_test_util.h"

namespace vigie::re {
namespace {

std::optional<PatternError> regex_error(const char* s) {
  Ir ir;
  return parse_regex(s, 0, ir);
}
std::optional<PatternError> hex_error(const char* s) {
  Ir ir;
  return parse_hex(s, ir);
}

TEST(RegexParser, AcceptsYaraSyntax) {
  for (const char* s :
       {"abc",        "a|b|c",   "(a|)",       "a*?b+?c??",      "a{3}", "a{2,}",
        "a{,3}",      "a{1,3}?", "[a-z0-9_]",  "[^\\x00-\\x1f]", "[]a]", "[\\w\\-.]",
        "\\bword\\B", "^a$",     "\\x4d\\x5a", "a{x}",           "ab{2", "\\.\\*\\/",
        "a{32767}",   ".",       "[a-]"}) {
    EXPECT_FALSE(regex_error(s)) << s;
  }
}

TEST(RegexParser, RejectsWithYaraMessagesAndOffsets) {
  struct Case {
    const char* src;
    const char* message;
    uint32_t offset;
  } cases[] = {
      {"a{3,2}", "bad repeat interval", 1},
      {"xa{0}b", "bad repeat interval", 2},
      {"xa{,0}b", "bad repeat interval", 2},
      {"a{0,40000}", "repeat interval too large", 1},
      {"a{32768}", "repeat interval too large", 1},
      {"a**", "syntax error", 2},
      {"*a", "syntax error", 0},
      {"()", "syntax error", 1},
      {"[z-a]", "bad character range", 1},
      {"[abc", "missing terminating ] for character class", 0},
      {"(a", "syntax error", 0},
      {"a)", "syntax error", 1},
      {"\\xZZ", "illegal escape sequence", 0},
      {"ab\\x4", "illegal escape sequence", 2},
      {"a+b*?", "greedy and ungreedy quantifiers can't be mixed in a regular expression", 3},
      {"a{2}b??", "greedy and ungreedy quantifiers can't be mixed in a regular expression", 5},
  };
  for (auto& c : cases) {
    auto e = regex_error(c.src);
    ASSERT_TRUE(e) << c.src;
    EXPECT_EQ(e->message, c.message) << c.src;
    EXPECT_EQ(e->offset, c.offset) << c.src;
  }
}

TEST(RegexParser, DepthIsBounded) {
  std::string deep(kMaxDepth + 5, '(');
  deep += "a";
  deep += std::string(kMaxDepth + 5, ')');
  auto e = regex_error(deep.c_str());
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("nested"), std::string::npos);
}

TEST(HexParser, AcceptsYaraSyntax) {
  for (const char* s :
       {"4D 5A", "4d5a", "E2 34 ?? C8 A? FB", "F4 23 [4-6] 62 B4", "F4 23 [6] 62",
        "FE 39 45 [10-] 89 00", "FE 39 45 [-] 89", "F4 23 ( 62 B4 | 56 ) 45",
        "F4 23 ( 62 B4 | 56 | 45 ?? 67 ) 45", "( 41 | 42 )", "41 ( 42 ( 43 | 44 ) | 45 )",
        "41 ( 42 [2] 43 | 44 ) 45", "41 ( 42 [200] 43 | 44 ) 45", "F4 23 ~00 62", "F4 ~?0 62",
        "41 // comment\n 42", "41 /* c */ 42", "??", "41 [0-0] 42"}) {
    EXPECT_FALSE(hex_error(s)) << s;
  }
}

TEST(HexParser, RejectsWithYaraMessagesAndOffsets) {
  struct Case {
    const char* src;
    const char* message;
    uint32_t offset;
  } cases[] = {
      {"[2] 41", "syntax error", 0},
      {"41 [2]", "syntax error", 6},
      {"41 ( 42 [201] 43 | 44 ) 45", "jumps over 200 not allowed inside alternation (|)", 8},
      {"41 ( 42 [1-] 43 | 44 ) 45", "unbounded jumps not allowed inside alternation (|)", 8},
      {"41 ( 42 [-] 43 | 44 ) 45", "unbounded jumps not allowed inside alternation (|)", 8},
      {"41 [5-2] 42", "invalid jump range", 3},
      {"41 ( 42 | ) 43", "syntax error", 10},
      {"41 ( [2] 43 | 44 ) 45", "syntax error", 5},
      {"41 4", "uneven number of digits in hex string", 3},
      {"41 ~?? 42", "syntax error", 3},
      {"41 GG", "syntax error", 3},
      {"", "syntax error", 0},
  };
  for (auto& c : cases) {
    auto e = hex_error(c.src);
    ASSERT_TRUE(e) << c.src;
    EXPECT_EQ(e->message, c.message) << c.src;
    EXPECT_EQ(e->offset, c.offset) << c.src;
  }
}

TEST(Check, ModifierCombinations) {
  using testing::text;
  auto with = [](PatternSpec s, auto f) {
    f(s.modifiers);
    return s;
  };
  EXPECT_FALSE(check(text("abc")));
  EXPECT_TRUE(check(text("")));
  EXPECT_TRUE(check(with(text("abc"), [](auto& m) { m.xor_ = m.nocase = true; })));
  EXPECT_TRUE(check(with(text("abc"), [](auto& m) { m.base64 = m.nocase = true; })));
  EXPECT_TRUE(check(with(text("abc"), [](auto& m) { m.base64 = m.fullword = true; })));
  EXPECT_TRUE(check(with(text("abc"), [](auto& m) { m.base64wide = m.xor_ = true; })));
  EXPECT_TRUE(check(with(text("abc"), [](auto& m) {
    m.xor_ = true;
    m.xor_min = 3;
    m.xor_max = 1;
  })));
  EXPECT_TRUE(check(with(text("abc"), [](auto& m) {
    m.base64 = true;
    m.base64_alphabet = "abc";
  })));
  EXPECT_TRUE(check(with(testing::hex("41"), [](auto& m) { m.wide = true; })));
  EXPECT_TRUE(check(with(testing::regex("a"), [](auto& m) { m.xor_ = true; })));
  EXPECT_FALSE(
      check(with(testing::regex("a"), [](auto& m) { m.wide = m.nocase = m.fullword = true; })));
  auto bad = check(testing::regex("a(b"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->offset, 1u);
}

}  // namespace
}  // namespace vigie::re
