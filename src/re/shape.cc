// IR shape queries. See shape.h. Recursion follows the IR, whose depth the parsers bound.
#include "re/shape.h"

namespace vigie::re {
namespace {

std::optional<uint64_t> length_of(const Ir& ir, NodeId id) {
  const Node& n = ir.nodes[id];
  switch (n.kind) {
    case NodeKind::kByte:
      return 1;
    case NodeKind::kConcat: {
      uint64_t total = 0;
      for (NodeId k : n.kids) {
        auto l = length_of(ir, k);
        if (!l) return std::nullopt;
        total += *l;
      }
      return total;
    }
    case NodeKind::kAlt: {
      std::optional<uint64_t> common;
      for (NodeId k : n.kids) {
        auto l = length_of(ir, k);
        if (!l || (common && *common != *l)) return std::nullopt;
        common = l;
      }
      return common;
    }
    case NodeKind::kRepeat: {
      if (n.min != n.max) return std::nullopt;
      auto l = length_of(ir, n.kids[0]);
      if (!l) return std::nullopt;
      return *l * n.min;
    }
    default:
      return 0;  // empty and zero-width assertions
  }
}

bool flatten(const Ir& ir, NodeId id, std::vector<ByteSet>& out) {
  const Node& n = ir.nodes[id];
  switch (n.kind) {
    case NodeKind::kByte:
      if (out.size() >= kMaxSequence) return false;
      out.push_back(n.set);
      return true;
    case NodeKind::kEmpty:
      return true;
    case NodeKind::kConcat:
      for (NodeId k : n.kids)
        if (!flatten(ir, k, out)) return false;
      return true;
    case NodeKind::kRepeat:
      if (n.min != n.max || n.min > kMaxSequence) return false;
      for (uint32_t i = 0; i < n.min; ++i)
        if (!flatten(ir, n.kids[0], out)) return false;
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<uint64_t> fixed_length(const Ir& ir, const std::vector<NodeId>& nodes) {
  uint64_t total = 0;
  for (NodeId id : nodes) {
    auto l = length_of(ir, id);
    if (!l) return std::nullopt;
    total += *l;
  }
  return total;
}

bool as_sequence(const Ir& ir, NodeId root, std::vector<ByteSet>& out) {
  out.clear();
  return flatten(ir, root, out) && !out.empty();
}

void sequence_prefix(const Ir& ir, NodeId root, size_t limit, std::vector<ByteSet>& out) {
  out.clear();
  const Node& n = ir.nodes[root];
  std::vector<NodeId> parts = n.kind == NodeKind::kConcat ? n.kids : std::vector<NodeId>{root};
  std::vector<ByteSet> part;
  for (NodeId k : parts) {
    part.clear();
    if (!flatten(ir, k, part)) break;
    out.insert(out.end(), part.begin(), part.end());
    if (out.size() >= limit) break;
  }
  if (out.size() > limit) out.resize(limit);
}

}  // namespace vigie::re
