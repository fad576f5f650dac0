// Atom extraction. See atoms.h. The walk recurses along the IR, whose depth the parsers bound.
#include "re/atoms.h"

#include "re/atom_quality.h"

namespace vigie::re {
namespace {

// 0: not a literal position; 1: one exact byte; 2: an ASCII letter in both cases.
int literal_kind(const Node& n, uint8_t& byte) {
  if (n.kind != NodeKind::kByte) return 0;
  int c = n.set.count();
  if (c == 1) {
    byte = n.set.first();
    return 1;
  }
  if (c == 2) {
    uint8_t lo = n.set.first();
    if (lo >= 'A' && lo <= 'Z' && n.set.has(static_cast<uint8_t>(lo + 32))) {
      byte = static_cast<uint8_t>(lo + 32);
      return 2;
    }
  }
  return 0;
}

AtomChoice choose(const Ir& ir, NodeId id, const std::vector<NodeId>& prefix);

AtomChoice choose_concat(const Ir& ir, const std::vector<NodeId>& kids,
                         const std::vector<NodeId>& prefix) {
  AtomChoice best;
  size_t i = 0;
  while (i < kids.size()) {
    uint8_t b;
    if (literal_kind(ir.nodes[kids[i]], b) == 0) {
      NodeKind k = ir.nodes[kids[i]].kind;
      if (k != NodeKind::kAlt && k != NodeKind::kRepeat && k != NodeKind::kConcat) {
        ++i;
        continue;
      }
      std::vector<NodeId> p = prefix;
      p.insert(p.end(), kids.begin(), kids.begin() + i);
      AtomChoice c = choose(ir, kids[i], p);
      if (c.quality > best.quality) best = std::move(c);
      ++i;
      continue;
    }
    size_t j = i;
    std::string bytes;
    std::vector<int> kinds;
    while (j < kids.size()) {
      int k = literal_kind(ir.nodes[kids[j]], b);
      if (k == 0) break;
      bytes.push_back(static_cast<char>(b));
      kinds.push_back(k);
      ++j;
    }
    // Best window inside the run [i, j).
    size_t run = j - i;
    int best_q = -1;
    size_t best_start = 0, best_len = 0;
    bool best_caseless = false;
    for (size_t s = 0; s < run; ++s) {
      bool caseless = false;
      for (size_t len = 1; len <= static_cast<size_t>(kAtomMaxLength) && s + len <= run; ++len) {
        if (kinds[s + len - 1] == 2) caseless = true;
        int q = atom_quality(std::string_view(bytes).substr(s, len), caseless);
        if (q > best_q) {
          best_q = q;
          best_start = s;
          best_len = len;
          best_caseless = caseless;
        }
      }
    }
    if (best_q > best.quality) {
      AtomSpec a;
      a.bytes = bytes.substr(best_start, best_len);
      a.caseless = best_caseless;
      a.prefix = prefix;
      a.prefix.insert(a.prefix.end(), kids.begin(), kids.begin() + i + best_start);
      best.atoms = {std::move(a)};
      best.quality = best_q;
    }
    i = j;
  }
  return best;
}

AtomChoice choose(const Ir& ir, NodeId id, const std::vector<NodeId>& prefix) {
  const Node& n = ir.nodes[id];
  switch (n.kind) {
    case NodeKind::kByte:
      return choose_concat(ir, {id}, prefix);
    case NodeKind::kConcat:
      return choose_concat(ir, n.kids, prefix);
    case NodeKind::kRepeat:
      if (n.min >= 1) return choose(ir, n.kids[0], prefix);
      return {};
    case NodeKind::kAlt: {
      AtomChoice all;
      for (NodeId k : n.kids) {
        AtomChoice c = choose(ir, k, prefix);
        if (c.atoms.empty()) return {};
        if (all.quality < 0 || c.quality < all.quality) all.quality = c.quality;
        for (auto& a : c.atoms) all.atoms.push_back(std::move(a));
        if (all.atoms.size() > kMaxAtomsPerPattern) return {};
      }
      return all;
    }
    default:
      return {};
  }
}

}  // namespace

AtomChoice choose_atoms(const Ir& ir, NodeId root) { return choose(ir, root, {}); }

}  // namespace vigie::re
