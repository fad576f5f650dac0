// The pattern IR: the one tree that regexes, hex strings and text strings all become.
//
// A pattern is a tree of nodes kept in one pool (Ir::nodes) and referred to by index. Leaves
// are byte positions (a set of the 256 byte values that may stand there) and zero-width
// assertions; inner nodes are concatenation, alternation (ordered: earlier branches have
// priority, as in Perl) and bounded or unbounded repetition (greedy or lazy). Case folding,
// `.`, classes, nibble masks and `~` negation are all resolved into byte sets by the parsers,
// so the compiler and the atom extractor see one simple shape whatever the source syntax was.
//
// Parsers bound the nesting depth (kMaxDepth), which is what lets the passes over this tree
// recurse without risking the stack on hostile rules.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vigie::re {

inline constexpr uint32_t kUnbounded = UINT32_MAX;
inline constexpr int kMaxDepth = 200;  // nesting of groups/alternatives accepted by the parsers

struct ByteSet {
  std::array<uint64_t, 4> w{};
  void add(uint8_t b) { w[b >> 6] |= uint64_t{1} << (b & 63); }
  bool has(uint8_t b) const { return (w[b >> 6] >> (b & 63)) & 1; }
  void add_range(int lo, int hi) {
    for (int b = lo; b <= hi; ++b) add(static_cast<uint8_t>(b));
  }
  void add_all(const ByteSet& o) {
    for (int i = 0; i < 4; ++i) w[i] |= o.w[i];
  }
  void invert() {
    for (auto& x : w) x = ~x;
  }
  int count() const {
    int n = 0;
    for (auto x : w) n += __builtin_popcountll(x);
    return n;
  }
  // The only member when count() == 1.
  uint8_t first() const {
    for (int i = 0; i < 4; ++i)
      if (w[i]) return static_cast<uint8_t>(i * 64 + __builtin_ctzll(w[i]));
    return 0;
  }
  // Adds the other case of every ASCII letter present.
  void fold_case() {
    for (int c = 'a'; c <= 'z'; ++c) {
      if (has(static_cast<uint8_t>(c)) || has(static_cast<uint8_t>(c - 32))) {
        add(static_cast<uint8_t>(c));
        add(static_cast<uint8_t>(c - 32));
      }
    }
  }
  bool operator==(const ByteSet& o) const { return w == o.w; }
};

enum class NodeKind : uint8_t {
  kEmpty,            // matches the empty string
  kByte,             // one byte from `set`
  kConcat,           // kids in order
  kAlt,              // kids, first has priority
  kRepeat,           // kids[0] repeated min..max times (max may be kUnbounded)
  kBol,              // start of the data
  kEol,              // end of the data
  kWordBoundary,     // \b
  kNotWordBoundary,  // \B
  // \b and \B of a wide regex: the characters around the position are two bytes wide.
  kWideWordBoundary,
  kWideNotWordBoundary,
};

using NodeId = uint32_t;

struct Node {
  NodeKind kind = NodeKind::kEmpty;
  bool greedy = true;
  uint32_t min = 0, max = 0;
  ByteSet set;
  std::vector<NodeId> kids;
};

struct Ir {
  std::vector<Node> nodes;
  NodeId root = 0;

  NodeId add(Node n) {
    nodes.push_back(std::move(n));
    return static_cast<NodeId>(nodes.size() - 1);
  }
  NodeId byte_set(const ByteSet& s) {
    Node n;
    n.kind = NodeKind::kByte;
    n.set = s;
    return add(std::move(n));
  }
  NodeId byte(uint8_t b) {
    ByteSet s;
    s.add(b);
    return byte_set(s);
  }
  NodeId simple(NodeKind k) {
    Node n;
    n.kind = k;
    return add(std::move(n));
  }
  NodeId concat(std::vector<NodeId> kids);  // flattens nested concatenations
  NodeId repeat(NodeId kid, uint32_t min, uint32_t max, bool greedy) {
    Node n;
    n.kind = NodeKind::kRepeat;
    n.min = min;
    n.max = max;
    n.greedy = greedy;
    n.kids = {kid};
    return add(std::move(n));
  }
};

inline NodeId Ir::concat(std::vector<NodeId> kids) {
  Node n;
  n.kind = NodeKind::kConcat;
  for (NodeId k : kids) {
    if (nodes[k].kind == NodeKind::kConcat) {
      auto inner = nodes[k].kids;
      n.kids.insert(n.kids.end(), inner.begin(), inner.end());
    } else if (nodes[k].kind != NodeKind::kEmpty) {
      n.kids.push_back(k);
    }
  }
  if (n.kids.size() == 1) return n.kids[0];
  if (n.kids.empty()) return simple(NodeKind::kEmpty);
  return add(std::move(n));
}

}  // namespace vigie::re
