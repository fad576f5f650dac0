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

void MatchMemo::insert(const Pending& p, int64_t future) {
  const void* key = p.key;
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

namespace {

// Loads a DFA state's threads into a VM list, to go on with the VM where the DFA ran out of
// memory. The threads are byte and match instructions, which need no closure.
void load_threads(const Dfa& dfa, uint32_t state, SparseSet& list, bool skip_match) {
  list.clear();
  for (uint32_t pc : dfa.threads(state))
    if (!(skip_match && dfa.program().insts[pc].op == Op::kMatch)) list.insert(pc);
}

// The DFA state for a VM list, or Dfa::kFull when the DFA cannot take it.
uint32_t to_dfa(Dfa* dfa, const SparseSet& list) {
  if (!dfa) return Dfa::kFull;
  return dfa->state_for(list.dense.data(), list.size);
}

// The memo side of one match_at run: lookups and the steps to record once the run ends.
struct MemoRun {
  MatchMemo* memo;
  std::vector<MatchMemo::Pending>& pending;
  size_t start;
  bool recording;

  MemoRun(VmScratch& vm, size_t start_)
      : memo(vm.memo), pending(vm.pending), start(start_), recording(vm.memo) {
    pending.clear();
  }
  bool active(size_t pos, size_t after, size_t stride) const {
    return memo && (pos & (stride - 1)) == 0 && pos - start >= after;
  }
  // True when (key, pos, hash, list) was recorded; `best` then holds the run's answer.
  bool check(const void* key, size_t pos, uint64_t hash, const uint32_t* list, uint32_t n,
             int64_t& best) {
    int64_t tail;
    if (memo->find(key, pos, hash, list, n, tail)) {
      if (tail >= 0) best = tail - static_cast<int64_t>(start);
      return true;
    }
    MatchMemo::Pending e{key, pos, hash, 0, n};
    if (recording && pending.size() < MatchMemo::kMaxPending &&
        (n == 0 || memo->stash(list, n, e.begin)))
      pending.push_back(e);
    else
      recording = false;
    return false;
  }
  // The list held at q leads to the last match recorded at a step >= q.
  void finish(int64_t best) {
    if (!memo) return;
    int64_t end = best >= 0 ? static_cast<int64_t>(start) + best : -1;
    for (const auto& e : pending) memo->insert(e, end >= static_cast<int64_t>(e.pos) ? end : -1);
    pending.clear();
  }
};

}  // namespace

// Each function below runs the VM for its first kDfaAfterSteps steps, where most runs end,
// and goes on with the DFA (when given and able) from the VM's list for longer runs.

int64_t match_at(const Program& p, const uint8_t* data, size_t size, size_t start, VmScratch& vm,
                 Dfa* dfa, size_t dfa_after) {
  vm.reserve(p.insts.size());
  SparseSet* cur = &vm.a;
  SparseSet* next = &vm.b;
  cur->clear();
  next->clear();
  int64_t best = -1;
  MemoRun memo(vm, start);
  size_t handed_over = SIZE_MAX;
  add_thread(p, *cur, p.start, data, size, start, vm.stack);
  size_t pos = start;
  for (;; ++pos) {
    if (cur->size == 0) break;
    if (pos - start == dfa_after) {
      // At the start the list's match instruction does not count, and does not cut the list.
      uint32_t s = !dfa ? Dfa::kFull : pos == start ? dfa->start(true) : to_dfa(dfa, *cur);
      if (s != Dfa::kFull) {
        // Past the start, the future of a list does not depend on where the run began.
        uint64_t gen = uint64_t{dfa->generation()} << 32;
        size_t begin = pos;
        bool full = false;
        for (;; ++pos) {
          if (s == Dfa::kDead) break;
          if (memo.active(pos, MatchMemo::kAfterDfaSteps, MatchMemo::kDfaStride) &&
              memo.check(dfa, pos, gen | s, nullptr, 0, best))
            break;
          if (dfa->is_match(s)) best = static_cast<int64_t>(pos - start);
          if (pos >= size) break;
          uint32_t t = dfa->next(s, data[pos]);
          if (t == Dfa::kFull) {
            full = true;
            break;
          }
          s = t;
        }
        vm.steps += pos - begin + 1;
        if (!full) {
          memo.finish(best);
          return best;
        }
        // Out of memory: the VM goes on from this state's threads (its match is taken).
        load_threads(*dfa, s, *cur, true);
        dfa->reset();
        dfa = nullptr;
        handed_over = pos;
      }
    }
    // With a DFA the run goes on with it at dfa_after, where the DFA's own memo takes over. Where
    // the DFA handed over, the list lacks the match already taken: it is no VM list to record.
    if (!dfa && pos != handed_over &&
        memo.active(pos, MatchMemo::kAfterSteps, MatchMemo::kStride)) {
      uint64_t h = hash_pcs(cur->dense.data(), cur->size, pos);
      if (memo.check(&p, pos, h, cur->dense.data(), cur->size, best)) break;
    }
    next->clear();
    for (uint32_t i = 0; i < cur->size; ++i) {
      uint32_t pc = cur->dense[i];
      const Inst& in = p.insts[pc];
      if (in.op == Op::kByte) {
        if (pos < size && p.accepts(in, data[pos]))
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
  memo.finish(best);
  return best;
}

bool matches_from(const Program& p, const uint8_t* data, size_t size, size_t start, VmScratch& vm,
                  Dfa* dfa) {
  vm.reserve(p.insts.size());
  SparseSet* cur = &vm.a;
  SparseSet* next = &vm.b;
  cur->clear();
  add_thread(p, *cur, p.start, data, size, start, vm.stack);
  for (size_t pos = start; cur->size != 0; ++pos) {
    if (pos - start == kDfaAfterSteps) {
      uint32_t s = to_dfa(dfa, *cur);
      if (s != Dfa::kFull) {
        size_t begin = pos;
        for (;; ++pos) {
          if (s == Dfa::kDead) break;
          if (dfa->is_match(s)) break;
          if (pos >= size) break;
          uint32_t t = dfa->next(s, data[pos]);
          if (t == Dfa::kFull) break;
          s = t;
        }
        vm.steps += pos - begin + 1;
        if (s == Dfa::kDead) return false;
        if (dfa->is_match(s)) return true;
        if (pos >= size) return false;
        load_threads(*dfa, s, *cur, false);
        dfa->reset();
        dfa = nullptr;
      }
    }
    next->clear();
    for (uint32_t i = 0; i < cur->size; ++i) {
      const Inst& in = p.insts[cur->dense[i]];
      if (in.op == Op::kMatch) return true;
      if (in.op == Op::kByte && pos < size && p.accepts(in, data[pos]))
        add_thread(p, *next, cur->dense[i] + 1, data, size, pos + 1, vm.stack);
    }
    ++vm.steps;
    if (pos >= size) break;
    std::swap(cur, next);
  }
  return false;
}

bool reverse_starts(const Program& p, const uint8_t* data, size_t size, size_t end, VmScratch& vm,
                    std::vector<uint64_t>& out, size_t max_out, Dfa* dfa) {
  vm.reserve(p.insts.size());
  SparseSet* cur = &vm.a;
  SparseSet* next = &vm.b;
  cur->clear();
  next->clear();
  add_thread(p, *cur, p.start, data, size, end, vm.stack);
  size_t found = 0;
  for (size_t pos = end;; --pos) {
    if (cur->size == 0) break;
    if (end - pos == kDfaAfterSteps) {
      uint32_t s = to_dfa(dfa, *cur);
      if (s != Dfa::kFull) {
        size_t begin = pos;
        for (;; --pos) {
          if (s == Dfa::kDead) break;
          if (dfa->is_match(s)) {
            if (found >= max_out) return false;
            out.push_back(pos);
            ++found;
          }
          if (pos == 0) break;
          uint32_t t = dfa->next(s, data[pos - 1]);
          if (t == Dfa::kFull) break;
          s = t;
        }
        vm.steps += begin - pos + 1;
        if (s == Dfa::kDead || pos == 0) return true;
        // The VM goes on from here; this position's start was reported already.
        load_threads(*dfa, s, *cur, true);
        dfa->reset();
        dfa = nullptr;
      }
    }
    next->clear();
    for (uint32_t i = 0; i < cur->size; ++i) {
      uint32_t pc = cur->dense[i];
      const Inst& in = p.insts[pc];
      if (in.op == Op::kByte) {
        if (pos > 0 && p.accepts(in, data[pos - 1]))
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
      if (in.op == Op::kByte && pos < size && p.accepts(in, data[pos]))
        add_thread(p, *next, pc + 1, data, size, pos + 1, vm.stack);
    }
    if (pos >= size) break;
    std::swap(cur, next);
  }
  return false;
}

}  // namespace vigie::re
