// Pike VM. See vm.h.
#include "re/vm.h"

namespace vigie::re {
namespace {

bool assertion_holds(Op op, const uint8_t* data, size_t size, size_t pos) {
  switch (op) {
    case Op::kBol:
      return pos == 0;
    case Op::kEol:
      return pos == size;
    case Op::kWordBoundary:
    case Op::kNotWordBoundary: {
      bool before = pos > 0 && is_word_byte(data[pos - 1]);
      bool after = pos < size && is_word_byte(data[pos]);
      return (before != after) == (op == Op::kWordBoundary);
    }
    case Op::kWideWordBoundary:
    case Op::kWideNotWordBoundary: {
      // The character before the position is the byte pair at pos - 2 (observed with yara:
      // /\bab\b/ wide matches "a\0b\0" right after a lone "x" byte).
      bool before = pos >= 2 && is_word_byte(data[pos - 2]) && data[pos - 1] == 0;
      bool after = pos + 1 < size && is_word_byte(data[pos]) && data[pos + 1] == 0;
      return (before != after) == (op == Op::kWideWordBoundary);
    }
    default:
      return false;
  }
}

// Adds pc and everything reachable from it without consuming a byte, in priority order.
void add_thread(const Program& p, SparseSet& list, uint32_t pc0, const uint8_t* data, size_t size,
                size_t pos, std::vector<uint32_t>& stack) {
  stack.clear();
  stack.push_back(pc0);
  while (!stack.empty()) {
    uint32_t pc = stack.back();
    stack.pop_back();
    if (list.contains(pc)) continue;
    list.insert(pc);
    const Inst& in = p.insts[pc];
    switch (in.op) {
      case Op::kByte:
      case Op::kMatch:
        break;
      case Op::kJmp:
        stack.push_back(in.x);
        break;
      case Op::kSplit:
        stack.push_back(in.y);
        stack.push_back(in.x);
        break;
      default:
        if (assertion_holds(in.op, data, size, pos)) stack.push_back(pc + 1);
        break;
    }
  }
}

}  // namespace

int64_t match_at(const Program& p, const uint8_t* data, size_t size, size_t start, VmScratch& vm) {
  vm.reserve(p.insts.size());
  SparseSet* cur = &vm.a;
  SparseSet* next = &vm.b;
  cur->clear();
  next->clear();
  int64_t best = -1;
  add_thread(p, *cur, p.start, data, size, start, vm.stack);
  for (size_t pos = start;; ++pos) {
    if (cur->size == 0) break;
    next->clear();
    for (uint32_t i = 0; i < cur->size; ++i) {
      uint32_t pc = cur->dense[i];
      const Inst& in = p.insts[pc];
      if (in.op == Op::kByte) {
        if (pos < size && p.sets[in.x].has(data[pos]))
          add_thread(p, *next, pc + 1, data, size, pos + 1, vm.stack);
      } else if (in.op == Op::kMatch && pos > start) {
        best = static_cast<int64_t>(pos - start);
        break;  // threads after this one have lower priority
      }
    }
    ++vm.steps;
    if (pos >= size) {
      // Only a match could still be pending; it was handled above.
      break;
    }
    std::swap(cur, next);
  }
  return best;
}

bool matches_from(const Program& p, const uint8_t* data, size_t size, size_t start, VmScratch& vm) {
  vm.reserve(p.insts.size());
  SparseSet* cur = &vm.a;
  SparseSet* next = &vm.b;
  cur->clear();
  add_thread(p, *cur, p.start, data, size, start, vm.stack);
  for (size_t pos = start; cur->size != 0; ++pos) {
    next->clear();
    for (uint32_t i = 0; i < cur->size; ++i) {
      const Inst& in = p.insts[cur->dense[i]];
      if (in.op == Op::kMatch) return true;
      if (in.op == Op::kByte && pos < size && p.sets[in.x].has(data[pos]))
        add_thread(p, *next, cur->dense[i] + 1, data, size, pos + 1, vm.stack);
    }
    ++vm.steps;
    if (pos >= size) break;
    std::swap(cur, next);
  }
  return false;
}

bool reverse_starts(const Program& p, const uint8_t* data, size_t size, size_t end, VmScratch& vm,
                    std::vector<uint64_t>& out, size_t max_out) {
  vm.reserve(p.insts.size());
  SparseSet* cur = &vm.a;
  SparseSet* next = &vm.b;
  cur->clear();
  next->clear();
  add_thread(p, *cur, p.start, data, size, end, vm.stack);
  size_t found = 0;
  for (size_t pos = end;; --pos) {
    if (cur->size == 0) break;
    next->clear();
    for (uint32_t i = 0; i < cur->size; ++i) {
      uint32_t pc = cur->dense[i];
      const Inst& in = p.insts[pc];
      if (in.op == Op::kByte) {
        if (pos > 0 && p.sets[in.x].has(data[pos - 1]))
          add_thread(p, *next, pc + 1, data, size, pos - 1, vm.stack);
      } else if (in.op == Op::kMatch) {
        if (found >= max_out) return false;
        out.push_back(pos);
        ++found;
      }
    }
    ++vm.steps;
    if (pos == 0) break;
    std::swap(cur, next);
  }
  return true;
}

bool search(const Program& p, const uint8_t* data, size_t size, VmScratch& vm) {
  vm.reserve(p.insts.size());
  SparseSet* cur = &vm.a;
  SparseSet* next = &vm.b;
  cur->clear();
  next->clear();
  for (size_t pos = 0;; ++pos) {
    // A new thread starting here has the lowest priority, but any match will do. Matches may
    // start at every byte but not at the very end (YARA: "" never matches, not even /x*/).
    if (pos < size) add_thread(p, *cur, p.start, data, size, pos, vm.stack);
    next->clear();
    for (uint32_t i = 0; i < cur->size; ++i) {
      uint32_t pc = cur->dense[i];
      const Inst& in = p.insts[pc];
      if (in.op == Op::kMatch) return true;
      if (in.op == Op::kByte && pos < size && p.sets[in.x].has(data[pos]))
        add_thread(p, *next, pc + 1, data, size, pos + 1, vm.stack);
    }
    if (pos >= size) break;
    std::swap(cur, next);
  }
  return false;
}

}  // namespace vigie::re
