// Atom scoring. See atom_quality.h.
#include "re/atom_quality.h"

#include <bitset>

namespace vigie::re {

int atom_quality(std::string_view bytes, bool caseless) {
  std::bitset<256> seen;
  int score = 0;
  int distinct = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    uint8_t b = static_cast<uint8_t>(bytes[i]);
    if (i > 0 && b == static_cast<uint8_t>(bytes[i - 1])) {
      score += 1;
    } else if (b == 0x00 || b == 0xFF || b == 0xCC || b == 0x90 || b == 0x20) {
      score += 3;
    } else if (caseless && ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))) {
      score += 14;
    } else {
      score += 16;
    }
    if (!seen[b]) {
      seen[b] = true;
      ++distinct;
    }
  }
  return score + 6 * distinct;
}

}  // namespace vigie::re
