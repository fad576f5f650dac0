// How good a literal is as an atom: the higher the score, the fewer places in ordinary files
// it is expected to occur, so the fewer candidates the prefilter hands to the verifiers.
//
// Every byte adds to the score; bytes that fill real files (00, FF, CC, 90, 20) add little, a
// byte that repeats its predecessor adds almost nothing (runs like 00 00 00 00 are everywhere),
// case-insensitive letters add a bit less than exact ones, and each distinct byte value adds a
// bonus for variety. The thresholds below decide when a pattern is reported as slow and when
// its best atom is too weak to be worth a prefilter entry at all.
#pragma once

#include <string_view>

namespace vigie::re {

inline constexpr int kAtomMaxLength = 16;  // longer windows add little selectivity
inline constexpr int kAtomMinUsable = 9;   // below: no atom, the pattern is scanned directly
inline constexpr int kAtomGood = 40;       // below: the pattern is reported as slowing scans

int atom_quality(std::string_view bytes, bool caseless);

}  // namespace vigie::re
