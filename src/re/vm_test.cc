// The Pike VM and the IR shape queries on their own.
#include "re/vm.h"

#include <gtest/gtest.h>

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
