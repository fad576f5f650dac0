// A lazy DFA over the Pike VM's thread lists, built while scanning (as RE2's DFA is).
//
// A state is the ordered list of a program's byte and match instructions that the VM would hold
// at some position; a transition on a byte is what one VM step makes of that list. States and
// transitions are computed on first use and then cost one table lookup per byte instead of a VM
// step over every thread. Two kinds:
//   - leftmost-first (for match_at and matches_from): the list is cut after its first match
//     instruction, since the VM drops lower-priority threads there; a state "is a match" when the
//     list holds the match instruction, and the answer of a run is the last such position;
//   - all-threads (for reverse_starts): nothing is cut; a state is a match when any thread
//     matched, which is where the reversed prefix program reports a start.
// Programs with zero-width assertions (^ $ \b \B), whose steps depend on the bytes around a
// position and not only on the list, are run by the VM alone (supports() is false).
//
// Bytes are mapped to classes (bytes that every byte set of the program treats alike), so a
// state's row has one entry per class. Each DFA has a memory budget; when a transition would
// exceed it, next() returns kFull, the caller goes on with the VM from the state's thread list,
// and calls reset(), which drops every state. A DFA reset too often is disabled, and its program
// is then always run by the VM: patterns whose lists explode (a.{0,200}b) stay linear either way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "re/program.h"

namespace vigie::re {

class Dfa {
 public:
  static constexpr uint32_t kDead = 0;                        // no threads left
  static constexpr uint32_t kFull = UINT32_MAX - 1;           // budget spent: go on with the VM
  static constexpr uint32_t kUnknown = UINT32_MAX;            // transition not computed yet
  static constexpr size_t kBudgetBytes = size_t{2} << 20;     // per DFA
  static constexpr size_t kSharedBudget = size_t{256} << 20;  // all DFAs of one scanner
  static constexpr int kMaxResets = 16;

  // `shared_bytes` counts the memory of all DFAs of one scanner.
  Dfa(const Program& prog, bool leftmost_first, size_t* shared_bytes,
      size_t budget_bytes = kBudgetBytes);
  ~Dfa();

  // False for programs with assertions.
  static bool supports(const Program& prog);

  // The state at the start of a run. With skip_match the match instruction is left out of it
  // (match_at takes no empty match) and the threads after it are kept, as the VM does.
  uint32_t start(bool skip_match);

  uint32_t next(uint32_t state, uint8_t byte) {
    uint32_t t = trans_[static_cast<size_t>(state) * classes_ + class_of_[byte]];
    return t != kUnknown ? t : compute(state, byte);
  }
  // The state holding a VM list (vm.h: every instruction reached, in priority order); resets
  // the DFA first when its budget is spent.
  uint32_t state_for(const uint32_t* pcs, uint32_t n);

  bool is_match(uint32_t state) const { return match_[state] != 0; }
  // The state's thread list (byte and match instructions, in priority order).
  std::span<const uint32_t> threads(uint32_t state) const {
    return {lists_.data() + begin_[state], begin_[state + 1] - begin_[state]};
  }

  // Drops every state (after kFull). States handed out before are invalid afterwards;
  // generation() tells them apart.
  void reset();
  uint32_t generation() const { return generation_; }
  bool disabled() const { return resets_ > kMaxResets; }
  const Program& program() const { return prog_; }

 private:
  uint32_t compute(uint32_t state, uint8_t byte);
  uint32_t intern(const std::vector<uint32_t>& list);
  void closure(uint32_t pc, std::vector<uint32_t>& out);
  void clear_states();
  void account();
  void new_stamp();

  const Program& prog_;
  bool leftmost_first_;
  uint32_t classes_ = 0;
  uint8_t class_of_[256]{};
  std::vector<uint32_t> trans_;  // state * classes_ + class -> state
  std::vector<uint32_t> lists_;  // thread lists of all states, back to back
  std::vector<uint32_t> begin_;  // state -> offset in lists_ (one extra at the end)
  std::vector<uint8_t> match_;   // state -> holds the match instruction
  std::unordered_multimap<uint64_t, uint32_t> ids_;  // list hash -> states
  std::vector<uint32_t> start_{kUnknown, kUnknown};  // [skip_match]
  // Scratch for computing transitions.
  std::vector<uint32_t> work_, stack_;
  std::vector<uint32_t> mark_;  // pc -> stamp
  uint32_t stamp_ = 0;
  uint32_t generation_ = 0;
  int resets_ = 0;
  size_t bytes_ = 0;
  size_t* shared_bytes_;
  size_t budget_;
};

// One scanner's DFAs for a pattern set's programs, made on first use.
class DfaCache {
 public:
  // The DFAs belong to one program set; another set's scan starts over.
  void bind(const void* owner) {
    if (owner != owner_) {
      dfas_.clear();
      owner_ = owner;
    }
  }

  // The DFA for programs[index], or nullptr if the program is run by the VM.
  Dfa* get(uint32_t index, const Program& prog, bool leftmost_first) {
    if (index >= dfas_.size()) dfas_.resize(index + 1);
    auto& slot = dfas_[index];
    if (!slot.made) {
      slot.made = true;
      if (Dfa::supports(prog)) slot.dfa = std::make_unique<Dfa>(prog, leftmost_first, &bytes_);
    }
    if (slot.dfa && slot.dfa->disabled()) return nullptr;
    return slot.dfa.get();
  }

 private:
  struct Slot {
    bool made = false;
    std::unique_ptr<Dfa> dfa;
  };
  const void* owner_ = nullptr;
  size_t bytes_ = 0;  // declared before dfas_: the DFAs update it as they are destroyed
  std::vector<Slot> dfas_;
};

}  // namespace vigie::re
