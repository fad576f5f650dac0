// Modifier semantics; expectations observed with `yara -s` on the same strings and data.
#include <gtest/gtest.h>

#include "re/re_test_util.h"
#include "re/variants.h"

namespace vigie::re {
namespace {

using testing::Found;
using testing::regex;
using testing::scan_matches;
using testing::scan_one;
using testing::text;

PatternSpec mod(PatternSpec s, void (*f)(lang::StringModifiers&)) {
  f(s.modifiers);
  return s;
}

std::string bytes(const char* s, size_t n) { return std::string(s, n); }

TEST(Modifiers, Nocase) {
  EXPECT_EQ(scan_one(mod(text("abc"), [](auto& m) { m.nocase = true; }), "ABC aBc abd"),
            (Found{{0, 3}, {4, 3}}));
  EXPECT_EQ(scan_one(regex("abc", lang::kRegexNocase), "ABC aBc"), (Found{{0, 3}, {4, 3}}));
  EXPECT_EQ(scan_one(mod(regex("a[b-c]+"), [](auto& m) { m.nocase = true; }), "xABCbx"),
            (Found{{1, 4}}));
}

TEST(Modifiers, WideAndAscii) {
  auto wide = mod(text("ab"), [](auto& m) { m.wide = true; });
  EXPECT_EQ(scan_one(wide, bytes("a\0b\0 ab", 7)), (Found{{0, 4}}));
  auto both = mod(text("abc"), [](auto& m) { m.ascii = m.wide = true; });
  EXPECT_EQ(scan_one(both, bytes("abc a\0b\0c\0", 11)), (Found{{0, 3}, {4, 6}}));
  // Both forms match at offset 0 of "a\0": yara reports one match, the ascii one.
  auto one = mod(text("a"), [](auto& m) { m.ascii = m.wide = true; });
  EXPECT_EQ(scan_one(one, bytes("a\0", 2)), (Found{{0, 1}}));
  EXPECT_EQ(scan_one(mod(regex("ab+"), [](auto& m) { m.wide = true; }), bytes("a\0b\0b\0ab", 8)),
            (Found{{0, 6}}));
}

TEST(Modifiers, WideWordBoundaries) {
  // In a wide regex, \b looks at the two-byte characters around the position.
  auto wb = mod(regex("\\bab\\b"), [](auto& m) { m.wide = true; });
  EXPECT_EQ(scan_one(wb, bytes("a\0b\0 xa\0b\0 a\0b\0x\0", 17)), (Found{{0, 4}, {6, 4}}));
  EXPECT_EQ(scan_one(wb, bytes("x\0a\0b\0", 6)), Found{});
}

TEST(Modifiers, FullwordAscii) {
  auto fw = mod(text("ab"), [](auto& m) { m.fullword = true; });
  // '_' does not count as a word character for fullword.
  EXPECT_EQ(scan_one(fw, "ab ab_ 1ab .ab. xab"), (Found{{0, 2}, {3, 2}, {12, 2}}));
  EXPECT_EQ(scan_one(fw, bytes("ab\0", 3)), (Found{{0, 2}}));
  auto nc = mod(text("ab"), [](auto& m) { m.fullword = m.nocase = true; });
  EXPECT_EQ(scan_one(nc, "AB xab"), (Found{{0, 2}}));
  EXPECT_EQ(scan_one(mod(regex("a+"), [](auto& m) { m.fullword = true; }), "aa baa aa"),
            (Found{{0, 2}, {7, 2}}));
}

TEST(Modifiers, FullwordWide) {
  auto fw = mod(text("ab"), [](auto& m) { m.wide = m.fullword = true; });
  EXPECT_EQ(scan_one(fw, bytes("xa\0b\0", 5)), (Found{{1, 4}}));
  EXPECT_EQ(scan_one(fw, bytes("a\0b\0x", 5)), (Found{{0, 4}}));
  EXPECT_EQ(scan_one(fw, bytes("a\0b\0x\0", 6)), Found{});
  EXPECT_EQ(scan_one(fw, bytes("a\0b\0x\1", 6)), (Found{{0, 4}}));
  EXPECT_EQ(scan_one(fw, bytes("x\1a\0b\0", 6)), (Found{{2, 4}}));
  EXPECT_EQ(scan_one(fw, bytes("x\0a\0b\0", 6)), Found{});
  EXPECT_EQ(scan_one(fw, bytes("\0a\0b\0", 5)), (Found{{1, 4}}));
  EXPECT_EQ(scan_one(fw, bytes("1\0a\0b\0 1a\0b\0", 13)), (Found{{8, 4}}));
}

TEST(Modifiers, XorReportsTheKey) {
  auto x = mod(text("abc"), [](auto& m) { m.xor_ = true; });
  auto found = scan_matches({x}, "abc \x23\x20\x21");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].offset, 0u);
  EXPECT_EQ(found[0].xor_key, 0);
  EXPECT_EQ(found[1].offset, 4u);
  EXPECT_EQ(found[1].length, 3u);
  EXPECT_EQ(found[1].xor_key, 0x42);
  auto range = mod(text("abc"), [](auto& m) {
    m.xor_ = true;
    m.xor_min = 1;
    m.xor_max = 3;
  });
  found = scan_matches({range}, "abc \x23\x20\x21 \x60\x63\x62");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].offset, 8u);
  EXPECT_EQ(found[0].xor_key, 1);
  // With wide, the interleaved zeros are xored too.
  auto xw = mod(text("abc"), [](auto& m) { m.xor_ = m.wide = true; });
  found = scan_matches({xw}, bytes("\x23\x42\x20\x42\x21\x42 \x23\x00\x20\x00\x21\x00", 13));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].offset, 0u);
  EXPECT_EQ(found[0].length, 6u);
  EXPECT_EQ(found[0].xor_key, 0x42);
}

TEST(Modifiers, XorGroupsFindEveryKey) {
  // Found through the byte differences of the string, which no key changes: every key in the
  // range is found, none outside it, also for wide forms, across delta windows (> 64 KiB).
  auto x = mod(text("Hello, xor world"), [](auto& m) {
    m.xor_ = true;
    m.xor_min = 0x10;
    m.xor_max = 0x20;
    m.ascii = m.wide = true;
  });
  std::string plain = "Hello, xor world";
  std::string data(70000, '.');
  auto put = [&](size_t at, uint8_t key, bool wide) {
    for (size_t i = 0; i < plain.size(); ++i) {
      data[at + (wide ? 2 * i : i)] = static_cast<char>(plain[i] ^ key);
      if (wide) data[at + 2 * i + 1] = static_cast<char>(key);
    }
  };
  put(10, 0x10, false);
  put(100, 0x20, true);
  put(200, 0x21, false);    // outside the range
  put(65530, 0x15, false);  // across the first window's end
  put(69900, 0x1f, true);
  auto found = scan_matches({x}, data);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].offset, 10u);
  EXPECT_EQ(found[0].xor_key, 0x10);
  EXPECT_EQ(found[1].offset, 100u);
  EXPECT_EQ(found[1].length, 32u);
  EXPECT_EQ(found[1].xor_key, 0x20);
  EXPECT_EQ(found[2].offset, 65530u);
  EXPECT_EQ(found[2].xor_key, 0x15);
  EXPECT_EQ(found[3].offset, 69900u);
  EXPECT_EQ(found[3].xor_key, 0x1f);
}

TEST(Modifiers, Base64Encodings) {
  const char* alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  EXPECT_EQ(base64_variants("This program cannot", alpha),
            (std::vector<std::string>{"VGhpcyBwcm9ncmFtIGNhbm5vd", "RoaXMgcHJvZ3JhbSBjYW5ub3",
                                      "UaGlzIHByb2dyYW0gY2Fubm90"}));
  auto b = mod(text("This program"), [](auto& m) { m.base64 = true; });
  EXPECT_EQ(scan_one(b, "VGhpcyBwcm9ncmFt QVRoaXMgcHJvZ3JhbQ== QUJUaGlzIHByb2dyYW0="),
            (Found{{0, 16}, {19, 15}, {41, 15}}));
  auto bw = mod(text("This program"), [](auto& m) { m.base64wide = true; });
  std::string wide_enc;
  for (char c : std::string("VGhpcyBwcm9ncmFt")) wide_enc += std::string{c, '\0'};
  EXPECT_EQ(scan_one(bw, wide_enc), (Found{{0, 32}}));
}

TEST(Modifiers, Base64CustomAlphabet) {
  std::string alpha = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`";
  ASSERT_EQ(alpha.size(), 64u);
  auto enc = base64_variants("hello world", alpha);
  ASSERT_EQ(enc.size(), 3u);
  auto b = mod(text("hello world"), [](auto& m) { m.base64 = true; });
  b.modifiers.base64_alphabet = alpha;
  EXPECT_EQ(scan_one(b, "xx" + enc[1] + "yy"), (Found{{2, static_cast<uint32_t>(enc[1].size())}}));
  EXPECT_EQ(
      scan_one(
          b,
          "xx" + base64_variants(
                     "hello world",
                     std::string(
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))[0]),
      Found{});
}

}  // namespace
}  // namespace vigie::re
