// The Pike VM and the IR shape queries on their own.
#include "re/vm.h"

#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <vector>

#include "re/parse.h"
#include "re/program.h"
#include "re/shape.h"

namespace vigie::re {
namespace {

struct Compiled {
  Ir ir;
  Program fwd, rev;
};

Compiled regex_prog(const char* src) {
  Compiled c;
  EXPECT_FALSE(parse_regex(src, 0, c.ir)) << src;
  EXPECT_TRUE(compile(c.ir, {c.ir.root}, false, c.fwd));
  EXPECT_TRUE(compile(c.ir, {c.ir.root}, true, c.rev));
  return c;
}

const uint8_t* bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

TEST(Vm, MatchAtIsLeftmostFirstAndNonEmpty) {
  VmScratch vm;
  std::string d = "abbbc";
  auto greedy = regex_prog("ab+");
  EXPECT_EQ(match_at(greedy.fwd, bytes(d), d.size(), 0, vm), 4);
  EXPECT_EQ(match_at(greedy.fwd, bytes(d), d.size(), 1, vm), -1);
  auto lazy = regex_prog("ab+?");
  EXPECT_EQ(match_at(lazy.fwd, bytes(d), d.size(), 0, vm), 2);
  auto empty = regex_prog("x*");
  EXPECT_EQ(match_at(empty.fwd, bytes(d), d.size(), 0, vm), -1);
}

TEST(Vm, ReverseStartsFindsEveryStart) {
  VmScratch vm;
  std::string d = "x123needle";
  auto prefix = regex_prog("[0-9]+");
  std::vector<uint64_t> starts;
  EXPECT_TRUE(reverse_starts(prefix.rev, bytes(d), d.size(), 4, vm, starts, 100));
  EXPECT_EQ(starts, (std::vector<uint64_t>{3, 2, 1}));
  starts.clear();
  EXPECT_FALSE(reverse_starts(prefix.rev, bytes(d), d.size(), 4, vm, starts, 2));
  EXPECT_EQ(starts.size(), 2u);
}

TEST(Vm, MatchesFromAndSearch) {
  VmScratch vm;
  std::string d = "abc";
  auto p = regex_prog("bc?");
  EXPECT_TRUE(matches_from(p.fwd, bytes(d), d.size(), 1, vm));
  EXPECT_FALSE(matches_from(p.fwd, bytes(d), d.size(), 0, vm));
  EXPECT_TRUE(search(p.fwd, bytes(d), d.size(), vm));
  auto anchored = regex_prog("^b");
  EXPECT_FALSE(search(anchored.fwd, bytes(d), d.size(), vm));
  EXPECT_GT(vm.steps, 0u);
}

// Patterns for the randomized tests below: repetition over long runs, lazy and greedy, empty
// alternatives; none has an assertion, so the DFA takes them all.
const char* const kPatterns[] = {
    "([ab]{4})*([ab]{2}==|[ab]{3}=|[ab]{4})",
    "(ab|a)*b",
    "a.*b",
    "a.*?b",
    "[ab]+c?",
    "(a|b)*?a",
    "(aa|ab|b)*(c|=)",
    "[^c]{2,5}b*",
    "((ab)*|b)+c",
    "a{0,3}?b{2,}?",
    "(a|ab)(c|bcd)?",
    "b*",
    "b*|a",
    "|ab",
};

// The memo must change nothing but the cost: every start of every pattern, with and without it.
TEST(Vm, MemoGivesTheSameMatchesAsPlainRuns) {
  std::vector<const char*> patterns(std::begin(kPatterns), std::end(kPatterns));
  patterns.push_back("\\b[ab]+\\b");  // assertions: the VM alone
  patterns.push_back("(aa|ab|b)*(c|$)");
  std::mt19937 rng(7);
  for (const char* src : patterns) {
    auto prog = regex_prog(src);
    for (int round = 0; round < 20; ++round) {
      std::string d(200 + rng() % 600, 'a');
      for (auto& ch : d) ch = "aab c="[rng() % (round % 2 ? 6 : 3)];
      VmScratch plain, shared;
      MatchMemo memo;
      shared.memo = &memo;
      for (size_t s = 0; s <= d.size(); ++s)
        ASSERT_EQ(match_at(prog.fwd, bytes(d), d.size(), s, plain),
                  match_at(prog.fwd, bytes(d), d.size(), s, shared))
            << src << " at " << s << " of " << d;
    }
  }
}

// A match from every start of a long run goes to its end; with the memo the runs converge after
// a few steps instead of each walking the rest of the run.
TEST(Vm, MemoMakesRunsFromEveryStartOfALongRunLinear) {
  auto prog = regex_prog("([A-Za-z0-9]{4})*([A-Za-z0-9]{2}==|[A-Za-z0-9]{3}=|[A-Za-z0-9]{4})");
  std::string d;
  for (int i = 0; i < 20000; ++i) d += "QUJD"[i % 4];
  VmScratch vm;
  MatchMemo memo;
  vm.memo = &memo;
  for (size_t s = 0; s < d.size(); ++s) {
    int64_t want = static_cast<int64_t>((d.size() - s) / 4 * 4);
    ASSERT_EQ(match_at(prog.fwd, bytes(d), d.size(), s, vm), want < 4 ? -1 : want) << s;
  }
  // Plain runs would step 20000^2 / 2 = 2e8 bytes.
  EXPECT_LT(vm.steps, 100u * d.size());
}

TEST(Vm, MemoStartsOverAfterClear) {
  auto prog = regex_prog("a+b");
  std::string d1(100, 'a'), d2(100, 'a');
  d1 += 'b';
  d2 += 'c';
  VmScratch vm;
  MatchMemo memo;
  vm.memo = &memo;
  EXPECT_EQ(match_at(prog.fwd, bytes(d1), d1.size(), 0, vm), 101);
  memo.clear();
  EXPECT_EQ(match_at(prog.fwd, bytes(d2), d2.size(), 0, vm), -1);
  EXPECT_EQ(match_at(prog.fwd, bytes(d2), d2.size(), 1, vm), -1);
}

// The DFA must give what the VM gives, for every function and start, with a roomy budget and
// with one so small that runs keep handing over to the VM and resetting the DFA.
TEST(Dfa, GivesTheVmsAnswers) {
  std::mt19937 rng(11);
  for (const char* src : kPatterns) {
    auto prog = regex_prog(src);
    ASSERT_TRUE(Dfa::supports(prog.fwd)) << src;
    for (size_t budget : {Dfa::kBudgetBytes, size_t{400}, size_t{1}}) {
      size_t shared = 0;
      Dfa fwd(prog.fwd, true, &shared, budget);
      Dfa rev(prog.rev, false, &shared, budget);
      for (int round = 0; round < 10; ++round) {
        std::string d(50 + rng() % 300, 'a');
        for (auto& ch : d) ch = "aab c="[rng() % (round % 2 ? 6 : 3)];
        VmScratch vm, vm2;
        for (size_t s = 0; s <= d.size(); ++s) {
          int64_t want = match_at(prog.fwd, bytes(d), d.size(), s, vm);
          ASSERT_EQ(want, match_at(prog.fwd, bytes(d), d.size(), s, vm2, &fwd))
              << src << " at " << s << " of " << d;
          for (size_t after : {0, 1, 3})
            ASSERT_EQ(want, match_at(prog.fwd, bytes(d), d.size(), s, vm2, &fwd, after))
                << src << " at " << s << " of " << d << " DFA after " << after;
          ASSERT_EQ(matches_from(prog.fwd, bytes(d), d.size(), s, vm),
                    matches_from(prog.fwd, bytes(d), d.size(), s, vm2, &fwd))
              << src << " at " << s << " of " << d;
          std::vector<uint64_t> a, b;
          ASSERT_EQ(reverse_starts(prog.rev, bytes(d), d.size(), s, vm, a, 1000),
                    reverse_starts(prog.rev, bytes(d), d.size(), s, vm2, b, 1000, &rev));
          ASSERT_EQ(a, b) << src << " at " << s << " of " << d;
        }
      }
      // Runs longer than kDfaAfterSteps reach the DFA, which with no budget resets at once.
      if (budget == 1 && (src == kPatterns[0] || src == kPatterns[2] || src == kPatterns[4]))
        EXPECT_GT(fwd.generation(), 0u) << src;
    }
    EXPECT_EQ(Dfa::supports(regex_prog("\\bab").fwd), false);
  }
}

TEST(Dfa, WithTheMemoGivesTheSameMatches) {
  auto prog = regex_prog("([ab]{4})*([ab]{2}==|[ab]{3}=|[ab]{4})");
  std::mt19937 rng(5);
  std::string d(3000, 'a');
  for (auto& ch : d) ch = rng() % 500 ? "ab"[rng() % 2] : '=';
  size_t shared = 0;
  Dfa dfa(prog.fwd, true, &shared);
  VmScratch plain, fast;
  MatchMemo memo;
  fast.memo = &memo;
  VmScratch late;  // the DFA after the default number of VM steps, as for atom candidates
  MatchMemo late_memo;
  late.memo = &late_memo;
  for (size_t s = 0; s <= d.size(); ++s) {
    int64_t want = match_at(prog.fwd, bytes(d), d.size(), s, plain);
    // From the start, as for a pattern tried at every byte.
    ASSERT_EQ(want, match_at(prog.fwd, bytes(d), d.size(), s, fast, &dfa, 0)) << s;
    ASSERT_EQ(want, match_at(prog.fwd, bytes(d), d.size(), s, late, &dfa)) << s;
  }
  EXPECT_LT(fast.steps * 4, plain.steps);
}

// A run whose DFA runs out of memory goes on with the VM from the DFA state's threads, less the
// match already taken; what it records in the memo must not claim that match for the list.
// Here every DFA transition fails (budget 1), so each run hands over at start + 64, and a run
// without a DFA shares the memo.
TEST(Dfa, HandOverRecordsTrueFutures) {
  auto prog = regex_prog("(zz|z)[bz](b{61}c|b{62})");
  for (size_t pad = 0; pad < 8; ++pad) {
    std::string d = std::string(pad, '.') + "zz" + std::string(62, 'b') + "." + "zzz" +
                    std::string(61, 'b') + "c";
    size_t shared = 0;
    Dfa dfa(prog.fwd, true, &shared, 1);
    VmScratch plain, with_dfa, vm_only;
    MatchMemo memo;
    with_dfa.memo = vm_only.memo = &memo;
    for (size_t s = 0; s <= d.size(); ++s) {
      int64_t want = match_at(prog.fwd, bytes(d), d.size(), s, plain);
      ASSERT_EQ(want, match_at(prog.fwd, bytes(d), d.size(), s, with_dfa, &dfa)) << pad << " " << s;
      ASSERT_EQ(want, match_at(prog.fwd, bytes(d), d.size(), s, vm_only)) << pad << " " << s;
    }
  }
}

// A reset gives the memory back: the DFA can build states again within its budget.
TEST(Dfa, ResetFreesTheBudget) {
  auto prog = regex_prog("(a|b)*a(a|b){12}c");
  size_t shared = 0;
  Dfa dfa(prog.fwd, true, &shared, 16384);
  std::mt19937 rng(3);
  uint32_t s = dfa.start(false);
  bool full = false;
  for (int i = 0; i < 100000 && !full; ++i) {
    uint32_t t = dfa.next(s, "ab"[rng() % 2]);
    full = t == Dfa::kFull;
    s = full ? s : t;
  }
  ASSERT_TRUE(full);
  size_t before = shared;
  dfa.reset();
  EXPECT_LT(shared, before / 4);
  EXPECT_NE(dfa.next(dfa.start(false), 'a'), Dfa::kFull);
}

TEST(Vm, ProgramSizeIsBounded) {
  Ir ir;
  ASSERT_FALSE(parse_regex("((a{1000}){1000}){10}", 0, ir));
  Program p;
  EXPECT_FALSE(compile(ir, {ir.root}, false, p));
}

TEST(Shape, FixedLengthAndSequences) {
  Ir ir;
  ASSERT_FALSE(parse_hex("4D 5A ?? [2] ( 01 02 | 03 04 ) 0?", ir));
  EXPECT_EQ(fixed_length(ir, {ir.root}), std::optional<uint64_t>(8));
  std::vector<ByteSet> seq;
  EXPECT_FALSE(as_sequence(ir, ir.root, seq));  // an alternative is not a plain sequence
  Ir ir2;
  ASSERT_FALSE(parse_hex("4D 5A ?? [2] 0?", ir2));
  ASSERT_TRUE(as_sequence(ir2, ir2.root, seq));
  EXPECT_EQ(seq.size(), 6u);
  EXPECT_EQ(seq[2].count(), 256);
  EXPECT_EQ(seq[5].count(), 16);
  Ir ir3;
  ASSERT_FALSE(parse_hex("4D [1-2] 5A", ir3));
  EXPECT_FALSE(fixed_length(ir3, {ir3.root}));
}

}  // namespace
}  // namespace vigie::re
