// Verifier semantics. Every expectation here was observed with `yara -s` (4.2.3) on the same
// pattern and data, except where a comment says vigie differs on purpose.
#include <gtest/gtest.h>

#include <thread>

#include "modules/module.h"
#include "re/re_test_util.h"

namespace vigie::re {
namespace {

using testing::Found;
using testing::hex;
using testing::regex;
using testing::scan_one;
using testing::text;

TEST(Verifier, TextMatchesOverlapAtEveryOffset) {
  EXPECT_EQ(scan_one(text("aa"), "aaaa"), (Found{{0, 2}, {1, 2}, {2, 2}}));
  EXPECT_EQ(scan_one(text("abc"), "xxabcxabc"), (Found{{2, 3}, {6, 3}}));
  EXPECT_EQ(scan_one(text("abc"), "ab"), Found{});
}

TEST(Verifier, LongLiteralsUseAWindow) {
  // Longer than any prefilter literal: found through its best window, compared whole.
  std::string lit(100000, 'A');
  for (size_t i = 0; i < lit.size(); i += 7) lit[i] = 'B';
  lit[5000] = 'Z';
  std::string other = lit;
  other[99999] = 'C';
  EXPECT_EQ(scan_one(text(lit), "xy" + lit + other), (Found{{2, 100000}}));
}

TEST(Verifier, GreedyAndLazyRegex) {
  EXPECT_EQ(scan_one(regex("ab+"), "abbbab"), (Found{{0, 4}, {4, 2}}));
  EXPECT_EQ(scan_one(regex("ab+?"), "abbbab"), (Found{{0, 2}, {4, 2}}));
  EXPECT_EQ(scan_one(regex("a.*b"), "aXbXbaab"), (Found{{0, 8}, {5, 3}, {6, 2}}));
  EXPECT_EQ(scan_one(regex("a.*?b"), "aXbXbaab"), (Found{{0, 3}, {5, 3}, {6, 2}}));
  EXPECT_EQ(scan_one(regex("a(bc)?"), "abc"), (Found{{0, 3}}));
  EXPECT_EQ(scan_one(regex("a(bc)??"), "abc"), (Found{{0, 1}}));
  EXPECT_EQ(scan_one(regex("xab{1,3}"), "xabbbb"), (Found{{0, 5}}));
}

TEST(Verifier, AlternationPrefersEarlierBranch) {
  EXPECT_EQ(scan_one(regex("xa(bc|b)"), "xabc"), (Found{{0, 4}}));
  EXPECT_EQ(scan_one(regex("xa(x|bcd|b)"), "xabcd"), (Found{{0, 5}}));
  EXPECT_EQ(scan_one(regex("x(ab|a)(bcd)?"), "xabcd"), (Found{{0, 3}}));
  EXPECT_EQ(scan_one(regex("xa(b|bc)+"), "xabcbc"), (Found{{0, 3}}));
  EXPECT_EQ(scan_one(regex("xa(bc|b)*"), "xabcbc"), (Found{{0, 6}}));
  EXPECT_EQ(scan_one(regex("xa(b|bc)*"), "xabcbc"), (Found{{0, 3}}));
  EXPECT_EQ(scan_one(regex("(ab|a)xyz"), "abxyz"), (Found{{0, 5}}));
}

TEST(Verifier, EmptyMatchesAreNotReported) {
  EXPECT_EQ(scan_one(regex(".*"), "ab\ncd"), (Found{{0, 2}, {1, 1}, {3, 2}, {4, 1}}));
  EXPECT_EQ(scan_one(regex("a?"), "xax"), (Found{{1, 1}}));
  // An empty match is not a match: the lazy /a??/ still reports "a".
  EXPECT_EQ(scan_one(regex("a??"), "xa"), (Found{{1, 1}}));
  EXPECT_EQ(scan_one(regex("xa??"), "xa"), (Found{{0, 1}}));
}

TEST(Verifier, DotAndDotAll) {
  EXPECT_EQ(scan_one(regex("a.b"), "a\nb"), Found{});
  EXPECT_EQ(scan_one(regex("a.b", lang::kRegexDotAll), "a\nb"), (Found{{0, 3}}));
}

TEST(Verifier, AnchorsAndWordBoundaries) {
  EXPECT_EQ(scan_one(regex("^ab"), "abab"), (Found{{0, 2}}));
  EXPECT_EQ(scan_one(regex("ab$"), "abab"), (Found{{2, 2}}));
  EXPECT_EQ(scan_one(regex("\\bab\\b"), "ab xab ab_ ab."), (Found{{0, 2}, {11, 2}}));
  EXPECT_EQ(scan_one(regex("\\Bab"), "ab xab"), (Found{{4, 2}}));
}

TEST(Verifier, HexJumpsAreLazy) {
  EXPECT_EQ(scan_one(hex("61 [0-5] 62"), "aXbXb"), (Found{{0, 3}}));
  EXPECT_EQ(scan_one(hex("61 [0-5] 62"), "aabXb"), (Found{{0, 3}, {1, 2}}));
  EXPECT_EQ(scan_one(hex("78 79 7a 61 [0-3] 62"), "xyzabbb"), (Found{{0, 5}}));
  EXPECT_EQ(scan_one(hex("61 62 ?? [-] 63"), "abXcc"), (Found{{0, 4}}));
  EXPECT_EQ(scan_one(hex("78 79 7a 61 [0-3] (62|63)"), "xyzaXcb"), (Found{{0, 6}}));
}

TEST(Verifier, HexAlternativesPreferEarlierBranch) {
  EXPECT_EQ(scan_one(hex("78 79 7a 61 ( 62 63 | 62 )"), "xyzabc"), (Found{{0, 6}}));
  EXPECT_EQ(scan_one(hex("78 79 7a 61 ?? ( 62 63 | 62 ) 64"), "xyzaXbcd"), (Found{{0, 8}}));
  EXPECT_EQ(scan_one(hex("61 ( 62 | 62 63 ) 64"), "abcd"), (Found{{0, 4}}));
}

TEST(Verifier, HexWildcardsNibblesAndNot) {
  EXPECT_EQ(scan_one(hex("4D ?A"), "M\x1aMZ"), (Found{{0, 2}, {2, 2}}));
  EXPECT_EQ(scan_one(hex("4D 5?"), "MZM\x50M\x61"), (Found{{0, 2}, {2, 2}}));
  EXPECT_EQ(scan_one(hex("41 ~42 43"), "ABCAXC"), (Found{{3, 3}}));
  EXPECT_EQ(scan_one(hex("41 ~?2 43"),
                     "ABCAXCA\x12"
                     "C"),
            (Found{{3, 3}}));
}

// YARA stops regex and hex matches after 4096 bytes (YR_RE_SCAN_LIMIT): /a[^b]*b/ does not match
// 'a' + 4095 'X' + 'b' there, and /aX*/ reports 4096 bytes of a longer run. vigie has no limit.
TEST(Verifier, NoLengthCutOff) {
  std::string long_gap = "a" + std::string(10000, 'X') + "b";
  EXPECT_EQ(scan_one(regex("a[^b]*b"), long_gap), (Found{{0, 10002}}));
  EXPECT_EQ(scan_one(hex("61 [-] 62"), long_gap), (Found{{0, 10002}}));
  std::string run = "a" + std::string(5000, 'X');
  auto m = scan_one(regex("aX*"), run);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].second, 5001u);
}

TEST(Verifier, RegexWithPrefixBeforeTheAtom) {
  // The atom is "needle"; starts are found backwards from it.
  EXPECT_EQ(scan_one(regex("[0-9]+needle"), "ab123needle 9needle"),
            (Found{{2, 9}, {3, 8}, {4, 7}, {12, 7}}));
  EXPECT_EQ(scan_one(regex("(foo|ba+r)tail"), "xbaaartail footail"), (Found{{1, 9}, {11, 7}}));
  // What follows the atom is checked before starts are sought.
  EXPECT_EQ(scan_one(regex("[0-9]+needle[a-z]+"), "12needlex 3needle4 5needleab"),
            (Found{{0, 9}, {1, 8}, {19, 9}}));
  EXPECT_EQ(scan_one(hex("61 [1-3] 4D 5A 90 [0-2] 62"),
                     "aXMZ\x90"
                     "b aXXMZ\x90"
                     "cb aMZ\x90"
                     "b"),
            (Found{{0, 6}, {7, 8}}));
}

TEST(Verifier, MaskedAtomsAndFixedPrefixes) {
  // The best atom is the expanded "3? 1F"; the match starts six bytes before it.
  std::string d = std::string("\x41\x02\x00\x4f\x02\xff\x35\x1f", 8);
  EXPECT_EQ(scan_one(hex("4? 02 ?? 4? 02 ?? 3? 1F"), "xx" + d + d), (Found{{2, 8}, {10, 8}}));
  EXPECT_EQ(
      scan_one(hex("4? 02 ?? 4? 02 ?? 3? 1F"), std::string("\x41\x02\x00\x5f\x02\xff\x35\x1f", 8)),
      Found{});
  EXPECT_EQ(scan_one(hex("C7 ?? ?? ?? 00 00 00 C7"), std::string("\xc7\x01\x02\x03\0\0\0\xc7", 8)),
            (Found{{0, 8}}));
}

// Candidates of a weak atom are first tested on 8 bytes of the match's known prefix; the test
// is skipped where 8 bytes do not fit, and must never reject a true match.
TEST(Verifier, QuickFilterKeepsEveryMatch) {
  auto p = hex("48 8D [2] 48 8B ?? 4? 81 [1] 72");
  std::string m = std::string("\x48\x8d\x01\x02\x48\x8b\x07\x4c\x81\x09\x72", 11);
  std::string near = m;
  near[7] = '\x5c';  // the nibble differs
  std::string d = "xx" + m + near + m + "y" + m.substr(0, 10) + m;
  EXPECT_EQ(scan_one(p, d), (Found{{2, 11}, {24, 11}, {46, 11}}));
  // At the very end, fewer than 8 bytes after the start of the window.
  EXPECT_EQ(scan_one(p, m), (Found{{0, 11}}));
  EXPECT_EQ(scan_one(p, near), Found{});
  // Case-insensitive literals longer than an atom.
  std::string lit = "xAbCdEfGhIjKlMnOpQrStUvWxYz";
  auto t = text("abcdefghijklmnopqrstuvwxyz");
  t.modifiers.nocase = true;
  EXPECT_EQ(scan_one(t, "..." + lit + "." + lit.substr(1)), (Found{{4, 26}, {31, 26}}));
}

TEST(Verifier, FallbackShapes) {
  // One byte set repeated: every start of a long enough run.
  EXPECT_EQ(scan_one(regex("[\\x01-\\x7F]{4}"),
                     "ab\x80"
                     "abcde"),
            (Found{{3, 4}, {4, 4}}));
  // Anchored at the end with a fixed length: only one possible start.
  EXPECT_EQ(scan_one(regex("[A-Za-z]{3}.{2}$"), "abcdefgh"), (Found{{3, 5}}));
  EXPECT_EQ(scan_one(regex("[A-Za-z]{3}.{2}$"), "abcdefg1"), (Found{{3, 5}}));
  EXPECT_EQ(scan_one(regex("[A-Za-z]{3}.{2}$"), "ab1defgh"), (Found{{3, 5}}));
  EXPECT_EQ(scan_one(regex("[A-Za-z]{3}.{2}$"), "abcd1fgh"), Found{});
  // Anchored at the start.
  EXPECT_EQ(scan_one(regex("^[a-c]+"), "abcabc"), (Found{{0, 6}}));
  EXPECT_EQ(scan_one(regex("^[a-c]+"), "xabc"), Found{});
}

TEST(Verifier, PatternsWithoutAtoms) {
  std::vector<BuildWarning> warnings;
  std::string err;
  auto set = PatternSet::build({hex("?? ?? 00"), regex(".*"), text("abcdef")}, &warnings, &err);
  ASSERT_TRUE(set) << err;
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].pattern, 0u);
  EXPECT_EQ(warnings[1].pattern, 1u);
  EXPECT_FALSE(warnings[0].message.empty());
  EXPECT_EQ(scan_one(hex("?? ?? 00"), std::string("ab\0cd\0", 6)), (Found{{0, 3}, {3, 3}}));
}

TEST(Verifier, MaxMatchesAndFastMode) {
  ScanLimits lim;
  lim.max_matches_per_pattern = 3;
  std::string err;
  auto set = PatternSet::build({text("a")}, nullptr, &err);
  ASSERT_TRUE(set);
  PatternScratch scratch(*set);
  MatchTable table;
  table.reset(1);
  std::string data(10, 'a');
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  EXPECT_EQ(set->scan(scratch, bytes, 0, lim, table), ScanOutcome::kOk);
  EXPECT_EQ(table.matches(0).size(), 3u);
  EXPECT_TRUE(table.overflowed(0));
  lim = {};
  lim.fast_mode = true;
  table.reset(1);
  EXPECT_EQ(set->scan(scratch, bytes, 100, lim, table), ScanOutcome::kOk);
  ASSERT_EQ(table.matches(0).size(), 1u);
  EXPECT_EQ(table.matches(0)[0].offset, 100u);
  EXPECT_FALSE(table.overflowed(0));
  // With no room at all the pattern is only flagged, once, and reset() clears the flag.
  lim = {};
  lim.max_matches_per_pattern = 0;
  table.reset(1);
  EXPECT_EQ(set->scan(scratch, bytes, 0, lim, table), ScanOutcome::kOk);
  EXPECT_TRUE(table.matches(0).empty());
  EXPECT_TRUE(table.overflowed(0));
  EXPECT_EQ(table.hits().size(), 1u);
  table.reset(1);
  EXPECT_FALSE(table.overflowed(0));
  EXPECT_TRUE(table.hits().empty());
}

TEST(Verifier, DeadlineStopsTheScan) {
  std::string err;
  auto set = PatternSet::build({text("zzz"), regex("b[^c]*")}, nullptr, &err);
  ASSERT_TRUE(set) << err;
  PatternScratch scratch(*set);
  MatchTable table;
  table.reset(2);
  ScanLimits lim;
  lim.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  // Every 'b' starts a VM run to the end of the data: quadratic without the deadline.
  std::string data(1 << 20, 'a');
  for (size_t i = 0; i < data.size(); i += 2) data[i] = 'b';
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  // The scan stops early: without the deadline it would report 2^19 matches.
  EXPECT_EQ(set->scan(scratch, bytes, 0, lim, table), ScanOutcome::kTimeout);
  EXPECT_LT(table.matches(1).size(), 1000u);
}

TEST(Verifier, ManyPatternsShareAtoms) {
  std::vector<PatternSpec> specs;
  for (int i = 0; i < 50; ++i) specs.push_back(regex("shared" + std::to_string(i % 5) + "[0-9]"));
  auto m = testing::scan_matches(specs, "xx shared37 shared2x", 8);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].offset, 3u);
  EXPECT_EQ(m[0].length, 8u);
  EXPECT_TRUE(testing::scan_matches(specs, "xx shared37 shared2x", 7).empty());
}

TEST(Verifier, ThreadsShareOneSet) {
  std::string err;
  auto set = PatternSet::build({regex("[0-9]+needle[a-z]+"), hex("4D 5A [2-4] 50 45"), text("abc")},
                               nullptr, &err);
  ASSERT_TRUE(set) << err;
  std::string data;
  for (int i = 0; i < 2000; ++i) data += "12needlex MZ..PE abc ";
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  std::vector<size_t> counts(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      PatternScratch scratch(*set);
      MatchTable table;
      for (int round = 0; round < 5; ++round) {
        table.reset(set->size());
        set->scan(scratch, bytes, 0, {}, table);
      }
      counts[t] = table.matches(0).size() + table.matches(1).size() + table.matches(2).size();
    });
  }
  for (auto& th : threads) th.join();
  for (size_t c : counts) EXPECT_EQ(c, 2000u * 4);
}

TEST(Regex, SearchForMatchesOperator) {
  PatternError e;
  auto r = Regex::compile("ab+c", 0, &e);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->search("xxabbbc"));
  EXPECT_FALSE(r->search("xxac"));
  EXPECT_TRUE(regex_search(*r, "abc"));
  auto i = Regex::compile("^abc$", lang::kRegexNocase, &e);
  ASSERT_TRUE(i);
  EXPECT_TRUE(i->search("AbC"));
  EXPECT_FALSE(i->search("AbCd"));
  auto empty = Regex::compile("x?", 0, &e);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->search("abc"));
  EXPECT_FALSE(empty->search(""));  // yara: "" matches /x?/ is false
  auto anchors = Regex::compile("^$", 0, &e);
  ASSERT_TRUE(anchors);
  EXPECT_FALSE(anchors->search("abc"));
  EXPECT_FALSE(anchors->search(""));
  auto end = Regex::compile("b$", 0, &e);
  ASSERT_TRUE(end);
  EXPECT_FALSE(end->search("ab\ncd"));
  EXPECT_TRUE(end->search("cdab"));
  auto dotall = Regex::compile("a.b", lang::kRegexDotAll, &e);
  ASSERT_TRUE(dotall);
  EXPECT_TRUE(dotall->search("a\nb"));
  EXPECT_EQ(i->source(), "^abc$");
  EXPECT_EQ(i->flags(), lang::kRegexNocase);
  EXPECT_FALSE(Regex::compile("a(", 0, &e));
  EXPECT_EQ(e.message, "syntax error");
}

}  // namespace
}  // namespace vigie::re
