// IR to Pike VM program. See program.h.
#include "re/program.h"

#include <map>

namespace vigie::re {
namespace {

class Compiler {
 public:
  Compiler(const Ir& ir, bool reverse, Program& p) : ir_(ir), reverse_(reverse), p_(p) {}

  bool emit(NodeId id) {
    if (p_.insts.size() > kMaxProgram) return false;
    const Node& n = ir_.nodes[id];
    switch (n.kind) {
      case NodeKind::kEmpty:
        return true;
      case NodeKind::kByte:
        add(Op::kByte, set_index(n.set), range_of(n.set));
        return true;
      case NodeKind::kBol:
        add(Op::kBol);
        return true;
      case NodeKind::kEol:
        add(Op::kEol);
        return true;
      case NodeKind::kWordBoundary:
        add(Op::kWordBoundary);
        return true;
      case NodeKind::kNotWordBoundary:
        add(Op::kNotWordBoundary);
        return true;
      case NodeKind::kWideWordBoundary:
        add(Op::kWideWordBoundary);
        return true;
      case NodeKind::kWideNotWordBoundary:
        add(Op::kWideNotWordBoundary);
        return true;
      case NodeKind::kConcat:
        if (reverse_) {
          for (size_t i = n.kids.size(); i-- > 0;)
            if (!emit(n.kids[i])) return false;
        } else {
          for (NodeId k : n.kids)
            if (!emit(k)) return false;
        }
        return true;
      case NodeKind::kAlt: {
        std::vector<uint32_t> jumps;
        for (size_t i = 0; i < n.kids.size(); ++i) {
          uint32_t split = 0;
          bool last = i + 1 == n.kids.size();
          if (!last) split = add(Op::kSplit);
          if (!last) p_.insts[split].x = here();
          if (!emit(n.kids[i])) return false;
          if (!last) {
            jumps.push_back(add(Op::kJmp));
            p_.insts[split].y = here();
          }
        }
        for (uint32_t j : jumps) p_.insts[j].x = here();
        return true;
      }
      case NodeKind::kRepeat: {
        NodeId kid = n.kids[0];
        for (uint32_t i = 0; i < n.min; ++i) {
          if (!emit(kid)) return false;
          if (p_.insts.size() > kMaxProgram) return false;
        }
        if (n.max == kUnbounded) {
          uint32_t loop = add(Op::kSplit);
          uint32_t body = here();
          if (!emit(kid)) return false;
          uint32_t back = add(Op::kJmp);
          p_.insts[back].x = loop;
          set_split(loop, body, here(), n.greedy);
          return true;
        }
        std::vector<uint32_t> splits;
        for (uint32_t i = n.min; i < n.max; ++i) {
          splits.push_back(add(Op::kSplit));
          uint32_t body = here();
          p_.insts[splits.back()].x = body;
          if (!emit(kid)) return false;
          if (p_.insts.size() > kMaxProgram) return false;
        }
        for (uint32_t s : splits) set_split(s, p_.insts[s].x, here(), n.greedy);
        return true;
      }
    }
    return true;
  }

  uint32_t add(Op op, uint32_t x = 0, uint32_t y = 0) {
    p_.insts.push_back(Inst{op, x, y});
    return static_cast<uint32_t>(p_.insts.size() - 1);
  }

 private:
  uint32_t here() const { return static_cast<uint32_t>(p_.insts.size()); }
  void set_split(uint32_t at, uint32_t body, uint32_t exit, bool greedy) {
    p_.insts[at].x = greedy ? body : exit;
    p_.insts[at].y = greedy ? exit : body;
  }
  // Inst::y of a byte instruction: its set as a contiguous range, or 0 (program.h).
  static uint32_t range_of(const ByteSet& s) {
    int lo = -1, hi = -1;
    for (int b = 0; b < 256; ++b) {
      if (!s.has(static_cast<uint8_t>(b))) continue;
      if (lo < 0) lo = b;
      if (hi >= 0 && hi != b - 1) return 0;  // a gap
      hi = b;
    }
    if (lo < 0) return 0;
    return kInlineRange | static_cast<uint32_t>(lo) << 8 | static_cast<uint32_t>(hi);
  }

  uint32_t set_index(const ByteSet& s) {
    auto it = index_.find(s.w);
    if (it != index_.end()) return it->second;
    p_.sets.push_back(s);
    uint32_t i = static_cast<uint32_t>(p_.sets.size() - 1);
    index_.emplace(s.w, i);
    return i;
  }

  const Ir& ir_;
  bool reverse_;
  Program& p_;
  std::map<std::array<uint64_t, 4>, uint32_t> index_;
};

}  // namespace

bool compile(const Ir& ir, const std::vector<NodeId>& nodes, bool reverse, Program& out) {
  out = Program{};
  Compiler c(ir, reverse, out);
  if (reverse) {
    for (size_t i = nodes.size(); i-- > 0;)
      if (!c.emit(nodes[i])) return false;
  } else {
    for (NodeId n : nodes)
      if (!c.emit(n)) return false;
  }
  c.add(Op::kMatch);
  out.start = 0;
  return out.insts.size() <= kMaxProgram;
}

ByteSet first_bytes(const Program& prog) {
  ByteSet s;
  std::vector<uint8_t> seen(prog.insts.size(), 0);
  std::vector<uint32_t> stack{prog.start};
  while (!stack.empty()) {
    uint32_t pc = stack.back();
    stack.pop_back();
    if (pc >= prog.insts.size() || seen[pc]) continue;
    seen[pc] = 1;
    const Inst& in = prog.insts[pc];
    switch (in.op) {
      case Op::kByte:
        s.add_all(prog.sets[in.x]);
        break;
      case Op::kSplit:
        stack.push_back(in.x);
        stack.push_back(in.y);
        break;
      case Op::kJmp:
        stack.push_back(in.x);
        break;
      case Op::kMatch:
        break;
      default:
        stack.push_back(pc + 1);
        break;
    }
  }
  return s;
}

}  // namespace vigie::re
