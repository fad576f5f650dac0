// Helpers shared by the pattern engine's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "re/pattern_set.h"

namespace vigie::re::testing {

inline PatternSpec text(std::string v) {
  PatternSpec s;
  s.kind = lang::StringKind::kText;
  s.value = std::move(v);
  return s;
}
inline PatternSpec hex(std::string v) {
  PatternSpec s;
  s.kind = lang::StringKind::kHex;
  s.value = std::move(v);
  return s;
}
inline PatternSpec regex(std::string v, uint8_t flags = 0) {
  PatternSpec s;
  s.kind = lang::StringKind::kRegex;
  s.value = std::move(v);
  s.regex_flags = flags;
  return s;
}

// (offset, length) pairs, or (offset, length, key) triples via Match.
using Found = std::vector<std::pair<uint64_t, uint32_t>>;

inline std::vector<Match> scan_matches(const std::vector<PatternSpec>& specs,
                                       const std::string& data, uint32_t pattern = 0,
                                       ScanLimits limits = {}) {
  std::string err;
  auto set = PatternSet::build(specs, nullptr, &err);
  EXPECT_TRUE(set) << err;
  if (!set) return {};
  PatternScratch scratch(*set);
  MatchTable table;
  table.reset(set->size());
  auto outcome = set->scan(scratch, {reinterpret_cast<const uint8_t*>(data.data()), data.size()}, 0,
                           limits, table);
  EXPECT_EQ(outcome, ScanOutcome::kOk);
  auto m = table.matches(pattern);
  return {m.begin(), m.end()};
}

inline Found scan_one(const PatternSpec& spec, const std::string& data) {
  Found out;
  for (auto& m : scan_matches({spec}, data)) out.emplace_back(m.offset, m.length);
  return out;
}

}  // namespace vigie::re::testing
