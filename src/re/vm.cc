// Pike VM. See vm.h.
#include "re/vm.h"

#include <algorithm>

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

uint64_t list_hash(const uint32_t* list, uint32_t n, size_t pos) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ pos;
  for (uint32_t i = 0; i < n; ++i) {
    h ^= list[i];
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return h;
}

size_t slot_of(const void* key, uint64_t pos, uint64_t hash, size_t mask) {
  uint64_t h = hash ^ (reinterpret_cast<uintptr_t>(key) * 0xc4ceb9fe1a85ec53ull) ^ (pos << 17);
  h ^= h >> 29;
  h *= 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h >> 20) & mask;
}

}  // namespace

void MatchMemo::clear() {
  for (uint32_t i : used_) slots_[i] = Slot{};
  used_.clear();
  arena_.clear();
  count_ = 0;
}

bool MatchMemo::find(const void* key, size_t pos, uint64_t hash, const uint32_t* list, uint32_t n,
                     int64_t& future) const {
  if (count_ == 0) return false;
  size_t mask = slots_.size() - 1;
  for (size_t i = slot_of(key, pos, hash, mask);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.key == nullptr) return false;
    if (s.key == key && s.pos == pos && s.hash == hash && s.len == n &&
        std::equal(list, list + n, arena_.begin() + s.begin)) {
      future = s.future;
      return true;
    }
  }
}

bool MatchMemo::stash(const uint32_t* list, uint32_t n, uint32_t& begin) {
  if (arena_.size() + n > kMaxArena) return false;
  begin = static_cast<uint32_t>(arena_.size());
  arena_.insert(arena_.end(), list, list + n);
  return true;
}

bool MatchMemo::grow() {
  size_t want = slots_.empty() ? 4096 : slots_.size() * 2;
  if (want > kMaxSlots) return false;
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(want, Slot{});
  std::vector<uint32_t> old_used;
  old_used.swap(used_);
  size_t mask = want - 1;
  for (uint32_t u : old_used) {
    const Slot& s = old[u];
    size_t i = slot_of(s.key, s.pos, s.hash, mask);
    while (slots_[i].key != nullptr) i = (i + 1) & mask;
    slots_[i] = s;
    used_.push_back(static_cast<uint32_t>(i));
  }
  return true;
}

void MatchMemo::insert(const void* key, const Pending& p, int64_t future) {
  if ((count_ + 1) * 2 > slots_.size() && !grow()) return;
  size_t mask = slots_.size() - 1;
  size_t i = slot_of(key, p.pos, p.hash, mask);
  while (slots_[i].key != nullptr) {
    const Slot& s = slots_[i];
    if (s.key == key && s.pos == p.pos && s.hash == p.hash && s.len == p.len &&
        std::equal(arena_.begin() + p.begin, arena_.begin() + p.begin + p.len,
                   arena_.begin() + s.begin))
      return;  // already there (two runs recorded the same list before either ended)
    i = (i + 1) & mask;
  }
  slots_[i] = Slot{key, p.pos, p.hash, p.begin, p.len, future};
  used_.push_back(static_cast<uint32_t>(i));
  ++count_;
}

int64_t match_at(const Program& p, const uint8_t* data, size_t size, size_t start, VmScratch& vm) {
  vm.reserve(p.insts.size());
  SparseSet* cur = &vm.a;
  SparseSet* next = &vm.b;
  cur->clear();
  next->clear();
  int64_t best = -1;
  MatchMemo* memo = vm.memo;
  auto& pending = vm.pending;
  pending.clear();
  bool recording = memo != nullptr;
  int64_t tail = -1;  // what a recorded list found on the way leads to
  add_thread(p, *cur, p.start, data, size, start, vm.stack);
  for (size_t pos = start;; ++pos) {
    if (cur->size == 0) break;
    if (memo && pos - start >= MatchMemo::kAfterSteps) {
      // Past the start, the future of a list does not depend on where the run began.
      uint64_t h = list_hash(cur->dense.data(), cur->size, pos);
      if (memo->find(&p, pos, h, cur->dense.data(), cur->size, tail)) {
        if (tail >= 0) best = tail - static_cast<int64_t>(start);
        break;
      }
      MatchMemo::Pending e{pos, h, 0, cur->size};
      if (recording && memo->stash(cur->dense.data(), cur->size, e.begin))
        pending.push_back(e);
      else
        recording = false;
    }
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
  if (!pending.empty()) {
    // The list held at q leads to the last match recorded at a step >= q.
    int64_t end = best >= 0 ? static_cast<int64_t>(start) + best : -1;
    for (const auto& e : pending)
      memo->insert(&p, e, end >= static_cast<int64_t>(e.pos) ? end : -1);
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
