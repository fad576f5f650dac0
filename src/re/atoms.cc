// Atom extraction. See atoms.h. The walk recurses along the IR, whose depth the parsers bound.
#include "re/atoms.h"

#include "re/atom_quality.h"

namespace vigie::re {
namespace {

bool is_case_pair(const ByteSet& s) {
  if (s.count() != 2) return false;
  uint8_t lo = s.first();
  return lo >= 'A' && lo <= 'Z' && s.has(static_cast<uint8_t>(lo + 32));
}

// A position usable inside an atom: a byte set small enough to expand.
bool atom_position(const Node& n) {
  return n.kind == NodeKind::kByte && n.set.count() <= kAtomMaxExpansion;
}

// The literals of one window of positions.
std::vector<std::string> expand(const std::vector<ByteSet>& w, bool& caseless) {
  caseless = false;
  std::vector<std::string> out{std::string()};
  for (const ByteSet& s : w) {
    if (is_case_pair(s)) {
      caseless = true;
      for (auto& o : out) o.push_back(static_cast<char>(s.first() + 32));
      continue;
    }
    std::vector<std::string> next;
    for (int b = 0; b < 256; ++b) {
      if (!s.has(static_cast<uint8_t>(b))) continue;
      for (auto& o : out) next.push_back(o + static_cast<char>(b));
    }
    out = std::move(next);
  }
  // A caseless atom folds every letter; exact upper-case letters elsewhere in it are lowered so
  // the literal is canonical (the verifier checks the exact bytes anyway).
  if (caseless)
    for (auto& o : out)
      for (auto& c : o)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

AtomChoice choose(const Ir& ir, NodeId id, const std::vector<NodeId>& prefix);

AtomChoice choose_concat(const Ir& ir, const std::vector<NodeId>& kids,
                         const std::vector<NodeId>& prefix, bool top = false) {
  AtomChoice best;
  size_t i = 0;
  while (i < kids.size()) {
    const Node& n = ir.nodes[kids[i]];
    if (!atom_position(n)) {
      if (n.kind == NodeKind::kAlt || n.kind == NodeKind::kRepeat || n.kind == NodeKind::kConcat) {
        std::vector<NodeId> p = prefix;
        p.insert(p.end(), kids.begin(), kids.begin() + i);
        AtomChoice c = choose(ir, kids[i], p);
        if (c.quality > best.quality) best = std::move(c);
      }
      ++i;
      continue;
    }
    size_t j = i;
    std::vector<ByteSet> run;
    while (j < kids.size() && atom_position(ir.nodes[kids[j]]))
      run.push_back(ir.nodes[kids[j++]].set);
    std::vector<int> counts(run.size());
    for (size_t k = 0; k < run.size(); ++k) counts[k] = run[k].count();
    int best_q = -1;
    size_t best_start = 0, best_len = 0;
    for (size_t s = 0; s < run.size(); ++s) {
      int product = 1;
      AtomScorer scorer;
      for (size_t len = 1; len <= static_cast<size_t>(kAtomMaxLength) && s + len <= run.size();
           ++len) {
        const ByteSet& pos = run[s + len - 1];
        int n = counts[s + len - 1];
        product *= (n == 2 && is_case_pair(pos)) ? 1 : n;
        if (product > kAtomMaxExpansion) break;
        scorer.push(pos, n);
        if (scorer.score() > best_q) {
          best_q = scorer.score();
          best_start = s;
          best_len = len;
        }
      }
    }
    if (best_q > best.quality) {
      std::vector<ByteSet> w(run.begin() + best_start, run.begin() + best_start + best_len);
      bool caseless;
      best.atoms.clear();
      for (auto& lit : expand(w, caseless)) {
        AtomSpec a;
        a.bytes = std::move(lit);
        a.caseless = caseless;
        a.prefix = prefix;
        a.prefix.insert(a.prefix.end(), kids.begin(), kids.begin() + i + best_start);
        if (top) {
          a.has_suffix = true;
          a.suffix.assign(kids.begin() + i + best_start + best_len, kids.end());
        }
        best.atoms.push_back(std::move(a));
      }
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

AtomChoice choose_atoms(const Ir& ir, NodeId root) {
  const Node& n = ir.nodes[root];
  if (n.kind == NodeKind::kConcat) return choose_concat(ir, n.kids, {}, true);
  if (n.kind == NodeKind::kByte) return choose_concat(ir, {root}, {}, true);
  return choose(ir, root, {});
}

}  // namespace vigie::re
