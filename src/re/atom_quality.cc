// Atom scoring. See atom_quality.h.
#include "re/atom_quality.h"

#include <bitset>

namespace vigie::re {
namespace {

bool common_byte(uint8_t b) {
  return b == 0x00 || b == 0xFF || b == 0xCC || b == 0x90 || b == 0x20;
}

bool case_pair(const ByteSet& s) {
  if (s.count() != 2) return false;
  uint8_t lo = s.first();
  return lo >= 'A' && lo <= 'Z' && s.has(static_cast<uint8_t>(lo + 32));
}

}  // namespace

int atom_quality(const std::vector<ByteSet>& window) {
  std::bitset<256> seen;
  int score = 0;
  for (size_t i = 0; i < window.size(); ++i) {
    const ByteSet& s = window[i];
    int n = s.count();
    if (i > 0 && s == window[i - 1]) {
      score += 1;
    } else if (n == 1) {
      uint8_t b = s.first();
      score += common_byte(b) ? 3 : 16;
      if (!seen[b]) {
        seen[b] = true;
        score += 6;
      }
    } else if (case_pair(s)) {
      score += 14;
      uint8_t b = static_cast<uint8_t>(s.first() + 32);
      if (!seen[b]) {
        seen[b] = true;
        score += 6;
      }
    } else {
      // 2 points per bit of information: 16 values (a nibble mask) carry 4 bits.
      int bits = 8;
      for (int v = n; v > 1; v >>= 1) --bits;
      score += 2 * bits;
    }
  }
  return score;
}

int atom_quality(std::string_view bytes, bool caseless) {
  std::vector<ByteSet> w(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    w[i].add(static_cast<uint8_t>(bytes[i]));
    if (caseless) w[i].fold_case();
  }
  return atom_quality(w);
}

}  // namespace vigie::re
