// Atom scoring. See atom_quality.h.
#include "re/atom_quality.h"

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

void AtomScorer::push(const ByteSet& s, int n) {
  auto first_time = [&](uint8_t b) {
    uint64_t bit = uint64_t{1} << (b & 63);
    bool fresh = !(seen_[b >> 6] & bit);
    seen_[b >> 6] |= bit;
    return fresh;
  };
  if (prev_ && s == *prev_) {
    score_ += 1;
  } else if (n == 1) {
    uint8_t b = s.first();
    score_ += common_byte(b) ? 3 : 16;
    if (first_time(b)) score_ += 6;
  } else if (n == 2 && case_pair(s)) {
    score_ += 14;
    if (first_time(static_cast<uint8_t>(s.first() + 32))) score_ += 6;
  } else {
    // 2 points per bit of information: 16 values (a nibble mask) carry 4 bits.
    int bits = 8;
    for (int v = n; v > 1; v >>= 1) --bits;
    score_ += 2 * bits;
  }
  prev_ = &s;
}

int atom_quality(const std::vector<ByteSet>& window) {
  AtomScorer scorer;
  for (const ByteSet& s : window) scorer.push(s, s.count());
  return scorer.score();
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
