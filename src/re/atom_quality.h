// How good a literal is as an atom: the higher the score, the fewer places in ordinary files
// it is expected to occur, so the fewer candidates the prefilter hands to the verifiers.
//
// A position scores by the information it carries: an exact byte the most, a case-insensitive
// letter a little less, a nibble-masked byte (16 values) about half. Bytes that fill real files
// (00, FF, CC, 90, 20) add little, a position equal to its predecessor adds almost nothing
// (runs like 00 00 00 00 are everywhere), and each distinct exact byte adds a bonus for variety.
// The thresholds below decide when a pattern is reported as slow and when its best atom is too
// weak to be worth a prefilter entry at all.
#pragma once

#include <string_view>
#include <vector>

#include "re/ir.h"

namespace vigie::re {

inline constexpr int kAtomMaxLength = 16;       // longer windows add little selectivity
inline constexpr size_t kMaxLiteralAtom = 256;  // longer literals are searched by a window
inline constexpr int kAtomMinUsable = 10;       // below: no atom, the pattern is scanned directly
inline constexpr int kAtomGood = 26;            // below: the pattern is reported as slowing scans
inline constexpr int kAtomMaxExpansion = 16;    // masked positions expand into at most this many

// Scores a window one position at a time (the atom search grows windows from each start).
class AtomScorer {
 public:
  // `count` is set.count(), passed in because callers have it at hand.
  void push(const ByteSet& set, int count);
  int score() const { return score_; }

 private:
  uint64_t seen_[4] = {0, 0, 0, 0};
  const ByteSet* prev_ = nullptr;
  int score_ = 0;
};

// Score of a window of positions (each a byte set of 1 value, a case pair or a small class).
int atom_quality(const std::vector<ByteSet>& window);
// Score of a literal (letters in either case when caseless).
int atom_quality(std::string_view bytes, bool caseless);

}  // namespace vigie::re
