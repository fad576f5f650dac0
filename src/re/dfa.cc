// Lazy DFA. See dfa.h.
#include "re/dfa.h"

#include <algorithm>

namespace vigie::re {
namespace {

uint64_t hash_list(const uint32_t* list, size_t n) { return hash_pcs(list, n, n); }

}  // namespace

bool Dfa::supports(const Program& prog) {
  for (const Inst& in : prog.insts)
    if (in.op != Op::kByte && in.op != Op::kSplit && in.op != Op::kJmp && in.op != Op::kMatch)
      return false;
  return true;
}

Dfa::Dfa(const Program& prog, bool leftmost_first, size_t* shared_bytes, size_t budget_bytes)
    : prog_(prog),
      leftmost_first_(leftmost_first),
      shared_bytes_(shared_bytes),
      budget_(budget_bytes) {
  // Byte classes: split the classes by every byte set, keeping the partition exact.
  classes_ = 1;
  for (const ByteSet& set : prog.sets) {
    int16_t remap[512];
    std::fill(std::begin(remap), std::end(remap), int16_t{-1});
    uint32_t n = 0;
    for (int b = 0; b < 256; ++b) {
      int key = class_of_[b] * 2 + (set.has(static_cast<uint8_t>(b)) ? 1 : 0);
      if (remap[key] < 0) remap[key] = static_cast<int16_t>(n++);
      class_of_[b] = static_cast<uint8_t>(remap[key]);
    }
    classes_ = n;
    if (classes_ == 256) break;
  }
  mark_.assign(prog.insts.size(), 0);
  clear_states();
}

Dfa::~Dfa() { *shared_bytes_ -= bytes_; }

// Frees the memory of the states (not only their contents), so that the budget is free again.
void Dfa::clear_states() {
  std::vector<uint32_t>(classes_, kDead).swap(trans_);  // the dead state goes nowhere
  std::vector<uint32_t>().swap(lists_);
  std::vector<uint32_t>{0, 0}.swap(begin_);
  std::vector<uint8_t>{0}.swap(match_);
  decltype(ids_)().swap(ids_);
  ids_.emplace(hash_list(nullptr, 0), kDead);
  start_ = {kUnknown, kUnknown};
  account();
}

void Dfa::account() {
  size_t now = trans_.capacity() * 4 + lists_.capacity() * 4 + begin_.capacity() * 4 +
               match_.capacity() + ids_.size() * 32 + ids_.bucket_count() * 8;
  *shared_bytes_ += now;
  *shared_bytes_ -= bytes_;
  bytes_ = now;
}

void Dfa::new_stamp() {
  if (++stamp_ == 0) {  // wrapped: old stamps could collide
    std::fill(mark_.begin(), mark_.end(), 0);
    stamp_ = 1;
  }
}

void Dfa::reset() {
  ++resets_;
  ++generation_;
  clear_states();
}

// Appends the byte and match instructions reachable from pc without consuming a byte, in the
// VM's priority order (vm.cc's add_thread), skipping those this step has already reached.
void Dfa::closure(uint32_t pc0, std::vector<uint32_t>& out) {
  stack_.clear();
  stack_.push_back(pc0);
  while (!stack_.empty()) {
    uint32_t pc = stack_.back();
    stack_.pop_back();
    if (mark_[pc] == stamp_) continue;
    mark_[pc] = stamp_;
    const Inst& in = prog_.insts[pc];
    switch (in.op) {
      case Op::kJmp:
        stack_.push_back(in.x);
        break;
      case Op::kSplit:
        stack_.push_back(in.y);
        stack_.push_back(in.x);
        break;
      default:  // kByte, kMatch (supports() excludes assertions)
        out.push_back(pc);
        break;
    }
  }
}

uint32_t Dfa::intern(const std::vector<uint32_t>& list) {
  uint64_t h = hash_list(list.data(), list.size());
  auto [lo, hi] = ids_.equal_range(h);
  for (auto it = lo; it != hi; ++it) {
    auto t = threads(it->second);
    if (t.size() == list.size() && std::equal(t.begin(), t.end(), list.begin())) return it->second;
  }
  auto id = static_cast<uint32_t>(match_.size());
  lists_.insert(lists_.end(), list.begin(), list.end());
  begin_.push_back(static_cast<uint32_t>(lists_.size()));
  bool m = std::any_of(list.begin(), list.end(),
                       [&](uint32_t pc) { return prog_.insts[pc].op == Op::kMatch; });
  match_.push_back(m ? 1 : 0);
  trans_.resize(trans_.size() + classes_, kUnknown);
  ids_.emplace(h, id);
  account();
  return id;
}

uint32_t Dfa::start(bool skip_match) {
  uint32_t& s = start_[skip_match ? 1 : 0];
  if (s != kUnknown) return s;
  new_stamp();
  work_.clear();
  closure(prog_.start, work_);
  if (skip_match) {
    work_.erase(std::remove_if(work_.begin(), work_.end(),
                               [&](uint32_t pc) { return prog_.insts[pc].op == Op::kMatch; }),
                work_.end());
  } else if (leftmost_first_) {
    auto m = std::find_if(work_.begin(), work_.end(),
                          [&](uint32_t pc) { return prog_.insts[pc].op == Op::kMatch; });
    if (m != work_.end()) work_.erase(m + 1, work_.end());
  }
  s = intern(work_);
  return s;
}

uint32_t Dfa::state_for(const uint32_t* pcs, uint32_t n) {
  if (bytes_ > budget_ || *shared_bytes_ > kSharedBudget) reset();
  work_.clear();
  for (uint32_t i = 0; i < n; ++i) {
    Op op = prog_.insts[pcs[i]].op;
    if (op == Op::kByte) {
      work_.push_back(pcs[i]);
    } else if (op == Op::kMatch) {
      work_.push_back(pcs[i]);
      if (leftmost_first_) break;
    }
  }
  return intern(work_);
}

uint32_t Dfa::compute(uint32_t state, uint8_t byte) {
  if (bytes_ > budget_ || *shared_bytes_ > kSharedBudget) return kFull;
  new_stamp();
  work_.clear();
  auto list = threads(state);
  for (uint32_t pc : list) {
    const Inst& in = prog_.insts[pc];
    if (in.op == Op::kByte) {
      if (prog_.sets[in.x].has(byte)) closure(pc + 1, work_);
    } else if (leftmost_first_) {
      break;  // the match: lower-priority threads are dropped (lists are cut there anyway)
    }
  }
  if (leftmost_first_) {
    auto m = std::find_if(work_.begin(), work_.end(),
                          [&](uint32_t pc) { return prog_.insts[pc].op == Op::kMatch; });
    if (m != work_.end()) work_.erase(m + 1, work_.end());
  }
  uint32_t t = intern(work_);
  trans_[static_cast<size_t>(state) * classes_ + class_of_[byte]] = t;
  return t;
}

}  // namespace vigie::re
